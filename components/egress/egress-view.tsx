"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { api } from "../api";
import { ClusterSelect, useClusterPicker } from "../clusters/cluster-picker";
import { draftItemFor, useMyDraft } from "../changes/my-draft";
import { InYourDraft, type SavedToDraft } from "../draft/draft";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, Card, PageHeader } from "../ui/card";
import { EmptyState, Loading } from "../ui/empty";
import { AssignmentDialog, type AssignmentSpec } from "./assignment-form";
import { FirewallTable } from "./firewall-table";
import { egressKeys } from "./keys";
import { PoolDialog, type PoolValues } from "./pool-form";

interface Assignment {
  namespace: string;
  name: string;
  version: number;
  spec: AssignmentSpec;
  pool: string;
  ip: string | null;
  /** False when the console allocated the IP (the pool's lowest free address). */
  requested: boolean;
  podSelector: string | null;
  destinations: string[];
  holder: string | null;
  holderSince: string | null;
  status: "ok" | "no-gateway" | "unknown";
  problem: string | null;
  lastChange: { revision: number; at: string | null; by: string | null };
}
interface View {
  cluster: string;
  reportingAgents: number;
  pools: Array<{ name: string; version: number; cidrs: string[]; exclude: string[]; gatewayNodeSelector: string; description: string; size: number; used: number }>;
  assignments: Assignment[];
  ips: Array<{ ip: string; holder: string | null; valid: boolean; since: string | null; transitions: number; history: Array<{ holder: string | null; at: string; seenBy: string }> }>;
  alerts: Array<{ namespace: string; name: string; ip: string | null; problem: string }>;
}

type Editing =
  | { type: "pool"; pool: { values: PoolValues; version: number; inDraft: boolean } | null }
  | { type: "assignment"; assignment: { namespace: string; name: string; spec: AssignmentSpec; version: number; inDraft: boolean } | null };

const EGRESS_KINDS = new Set(["EgressIPPool", "EgressAssignment"]);

export function EgressView({ canAuthor }: { canAuthor: boolean }) {
  const { clusters, cluster, setCluster } = useClusterPicker();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [saved, setSaved] = useState<{ saved: SavedToDraft; what: string } | null>(null);
  const q = useQuery({
    queryKey: egressKeys.view(cluster),
    queryFn: () => api<View>(`/api/v1/clusters/${encodeURIComponent(cluster)}/egress`),
    enabled: cluster !== "",
    refetchInterval: 5000,
  });
  const mine = useMyDraft(cluster, canAuthor);
  const draft = mine.data ?? null;
  const drafted = draft?.items.filter((i) => EGRESS_KINDS.has(i.kind)) ?? [];
  const v = q.data;
  const poolNames = [...new Set([...(v?.pools.map((p) => p.name) ?? []), ...drafted.filter((i) => i.kind === "EgressIPPool" && i.op !== "delete").map((i) => i.name)])].sort();
  const assignmentKeys = new Set([
    ...(v?.assignments.map((a) => `${a.namespace}/${a.name}`) ?? []),
    ...drafted.filter((i) => i.kind === "EgressAssignment" && i.op !== "delete").map((i) => `${i.namespace}/${i.name}`),
  ]);

  const editPool = (p: View["pools"][number]) => {
    const d = draftItemFor(draft, { kind: "EgressIPPool", namespace: null, name: p.name });
    const spec = (d?.document?.spec ?? null) as Partial<PoolValues> | null;
    const values: PoolValues = spec
      ? { name: p.name, cidrs: spec.cidrs ?? [], exclude: spec.exclude ?? [], gatewayNodeSelector: spec.gatewayNodeSelector ?? "", description: spec.description ?? "" }
      : { name: p.name, cidrs: p.cidrs, exclude: p.exclude, gatewayNodeSelector: p.gatewayNodeSelector === "all()" ? "" : p.gatewayNodeSelector, description: p.description };
    setSaved(null);
    setEditing({ type: "pool", pool: { values, version: p.version, inDraft: Boolean(d?.document) } });
  };
  const editAssignment = (a: Assignment) => {
    const d = draftItemFor(draft, { kind: "EgressAssignment", namespace: a.namespace, name: a.name });
    const spec = ((d?.document?.spec as AssignmentSpec | undefined) ?? a.spec) as AssignmentSpec;
    setSaved(null);
    setEditing({ type: "assignment", assignment: { namespace: a.namespace, name: a.name, spec, version: a.version, inDraft: Boolean(d?.document) } });
  };
  const editDrafted = (i: (typeof drafted)[number]) => {
    if (!i.document) return;
    const spec = i.document.spec as Record<string, unknown>;
    const published = i.kind === "EgressIPPool" ? v?.pools.find((p) => p.name === i.name) : v?.assignments.find((a) => a.namespace === i.namespace && a.name === i.name);
    setSaved(null);
    if (i.kind === "EgressIPPool") {
      const s = spec as Partial<PoolValues>;
      setEditing({ type: "pool", pool: { values: { name: i.name, cidrs: s.cidrs ?? [], exclude: s.exclude ?? [], gatewayNodeSelector: s.gatewayNodeSelector ?? "", description: s.description ?? "" }, version: published?.version ?? 0, inDraft: true } });
    } else {
      setEditing({ type: "assignment", assignment: { namespace: i.namespace ?? "default", name: i.name, spec: spec as AssignmentSpec, version: published?.version ?? 0, inDraft: true } });
    }
  };
  const onSaved = (what: string) => (s: SavedToDraft) => {
    setEditing(null);
    setSaved({ saved: s, what });
  };

  return (
    <>
      <PageHeader
        title="Egress"
        description="Fixed source addresses per namespace for traffic leaving the cluster, which node carries each address right now, and the firewall view for the network team."
        actions={
          <>
            {canAuthor && cluster && (
              <>
                <Button onClick={() => { setSaved(null); setEditing({ type: "assignment", assignment: null }); }} disabled={!v}>Assign egress IP</Button>
                <Button variant="secondary" onClick={() => { setSaved(null); setEditing({ type: "pool", pool: null }); }} disabled={!v}>New IP pool</Button>
              </>
            )}
          </>
        }
      />
      <ClusterSelect options={clusters.data?.items} value={cluster} onChange={setCluster} />
      {(clusters.isPending || q.isPending) && <Loading />}
      {q.isError && <Alert>Could not load egress state: {q.error.message}</Alert>}
      {saved && <InYourDraft saved={saved.saved} what={saved.what} />}
      {v && (
        <div className="mt-4 flex flex-col gap-6">
          {draft && drafted.length > 0 && (
            <Card
              title="In your draft"
              actions={
                <Link href={`/changes/${draft.id}`} className="text-sm font-medium text-brand-700 hover:underline">
                  Open change request{draft.number ? ` #${draft.number}` : ""}
                </Link>
              }
            >
              <p className="mb-2 text-sm text-slate-600">Not published yet: these appear in the firewall view once the change request is approved and published.</p>
              <ul className="divide-y divide-slate-100 text-sm" data-testid="egress-draft">
                {drafted.map((i) => {
                  const spec = (i.document?.spec ?? {}) as { ip?: string; pool?: string; cidrs?: string[] };
                  return (
                    <li key={i.id} className="flex items-center justify-between gap-3 py-2">
                      <span>
                        <Badge tone={i.op === "delete" ? "red" : i.op === "create" ? "green" : "amber"}>{i.op}</Badge>{" "}
                        {i.kind === "EgressIPPool" ? (
                          <>
                            pool <span className="font-mono">{i.name}</span> <span className="font-mono text-xs text-slate-500">{spec.cidrs?.join(", ")}</span>
                          </>
                        ) : (
                          <>
                            namespace <span className="font-mono">{i.namespace}</span> ({i.name}) → <span className="font-mono">{spec.ip ?? "allocated automatically"}</span>{" "}
                            <span className="text-xs text-slate-500">from pool {spec.pool}</span>
                          </>
                        )}
                      </span>
                      {i.document && (
                        <Button size="sm" variant="ghost" onClick={() => editDrafted(i)} aria-label={`Edit drafted ${i.kind === "EgressIPPool" ? `pool ${i.name}` : `assignment ${i.namespace}/${i.name}`}`}>
                          Edit
                        </Button>
                      )}
                    </li>
                  );
                })}
              </ul>
            </Card>
          )}
          {v.alerts.length > 0 && (
            <div role="alert" data-testid="egress-alert" className="rounded-lg border-2 border-red-500 bg-red-50 p-4 text-sm text-red-900">
              <p className="font-semibold">No healthy gateway: external traffic of these namespaces is being dropped (it never leaves with a node&apos;s address).</p>
              <ul className="mt-2 list-disc pl-5">
                {v.alerts.map((a) => (
                  <li key={`${a.namespace}/${a.name}`}>
                    <span className="font-mono">{a.namespace}</span> ({a.ip ?? "no IP"}): {a.problem}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <FirewallTable
            cluster={cluster}
            canAuthor={canAuthor}
            extra={(namespace, name) => {
              const x = v.assignments.find((a) => a.namespace === namespace && a.name === name);
              return x ? { requested: x.requested, podSelector: x.podSelector, holderSince: x.holderSince } : undefined;
            }}
            onEdit={(namespace, name) => {
              const x = v.assignments.find((a) => a.namespace === namespace && a.name === name);
              if (x) editAssignment(x);
            }}
          />
          <div className="grid gap-6 xl:grid-cols-2">
            <Card title="Egress IP pools">
              {v.pools.length === 0 ? (
                <EmptyState title="No egress IP pools">{canAuthor ? "Create one with New IP pool: assignments take their addresses from a pool." : "Pools are proposed through change requests."}</EmptyState>
              ) : (
                <ul className="flex flex-col gap-3 text-sm">
                  {v.pools.map((p) => (
                    <li key={p.name} data-testid={`pool-${p.name}`}>
                      <div className="flex items-center justify-between gap-2">
                        <span className="font-medium">{p.name}</span>
                        <span className="flex items-center gap-2">
                          <span className="tabular-nums text-slate-600">{p.used} of {p.size} addresses used</span>
                          {canAuthor && (
                            <Button size="sm" variant="ghost" onClick={() => editPool(p)} aria-label={`Edit pool ${p.name}`}>
                              Edit
                            </Button>
                          )}
                        </span>
                      </div>
                      {p.description && <p className="text-xs text-slate-600">{p.description}</p>}
                      <div className="mt-1 h-2 rounded bg-slate-100" role="img" aria-label={`${p.used} of ${p.size} used`}>
                        <div className="h-2 rounded bg-brand-500" style={{ width: `${p.size ? Math.min(100, (100 * p.used) / p.size) : 0}%` }} />
                      </div>
                      <p className="mt-1 font-mono text-xs text-slate-500">
                        {p.cidrs.join(", ")}
                        {p.exclude.length > 0 && ` excluding ${p.exclude.join(", ")}`} · gateways: {p.gatewayNodeSelector}
                      </p>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
            <Card title="Who holds each IP">
              {v.ips.length === 0 ? (
                <EmptyState title="No agent has reported egress state">{v.reportingAgents === 0 ? "Agents report it once egress gateways are enabled on their nodes." : ""}</EmptyState>
              ) : (
                <ul className="flex flex-col gap-3 text-sm">
                  {v.ips.map((ip) => (
                    <li key={ip.ip} data-testid={`holder-${ip.ip}`}>
                      <span className="font-mono">{ip.ip}</span>{" "}
                      {ip.valid && ip.holder ? <Badge tone="green">held by {ip.holder}</Badge> : <Badge tone="red">not held</Badge>}{" "}
                      <span className="text-xs text-slate-500">{ip.transitions} takeover{ip.transitions === 1 ? "" : "s"}</span>
                      {ip.history.length > 0 && (
                        <ol className="mt-1 border-l border-slate-200 pl-3 text-xs text-slate-600">
                          {ip.history.map((h, i) => (
                            <li key={i}>
                              {new Date(h.at).toLocaleString()}: {h.holder ?? "released"} <span className="text-slate-400">(seen by {h.seenBy})</span>
                            </li>
                          ))}
                        </ol>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </Card>
          </div>
        </div>
      )}
      {editing?.type === "pool" && cluster && <PoolDialog cluster={cluster} editing={editing.pool} onClose={() => setEditing(null)} onSaved={onSaved(`Egress IP pool ${editing.pool?.values.name ?? ""}`.trim())} />}
      {editing?.type === "assignment" && cluster && (
        <AssignmentDialog
          cluster={cluster}
          pools={poolNames}
          existing={assignmentKeys}
          editing={editing.assignment}
          onClose={() => setEditing(null)}
          onSaved={onSaved(editing.assignment ? `The egress IP of ${editing.assignment.namespace}` : "The egress IP assignment")}
        />
      )}
    </>
  );
}
