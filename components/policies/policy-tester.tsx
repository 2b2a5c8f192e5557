"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { api, ApiError, qs } from "../api";
import { useMyDraft } from "../changes/my-draft";
import { ClusterSelect, useClusterPicker } from "../clusters/cluster-picker";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, Card, PageHeader } from "../ui/card";
import { Field } from "../ui/field";

type Step =
  | { kind: "rule"; tier: string; ruleIndex: number; action: string; message: string; detail?: string }
  | { kind: "end-of-tier" | "no-policy" | "profile" | "staged" | "not-evaluated"; message: string };
interface DirectionResult {
  endpoint: string;
  verdict: "Allow" | "Deny";
  trace: Step[];
}
interface Simulation {
  revision: number;
  changeRequest: { id: string; number: number; title: string; state: string; changes: number } | null;
  result: { action: "Allow" | "Deny"; stagedAction?: "Allow" | "Deny"; egress: DirectionResult | null; ingress: DirectionResult | null };
}

const selectClass = "rounded-md border border-slate-300 bg-white px-2 py-2 text-sm";

function Trace({ title, r, testIdPrefix = "", changedFrom }: { title: string; r: DirectionResult | null; testIdPrefix?: string; changedFrom?: "Allow" | "Deny" | null }) {
  const changed = r && changedFrom && changedFrom !== r.verdict;
  return (
    <div data-testid={`${testIdPrefix}trace-${title.split(" ")[0]!.toLowerCase()}`} className={changed ? "-m-2 rounded-md bg-amber-50 p-2" : undefined}>
      <h3 className="text-sm font-semibold">
        {title}{" "}
        {r ? <Badge tone={r.verdict === "Allow" ? "green" : "red"}>{r.verdict.toUpperCase()}</Badge> : <Badge>not evaluated</Badge>}
        {changed && <span className="ml-2 text-xs font-medium text-amber-800">was {changedFrom.toUpperCase()}</span>}
      </h3>
      {r && (
        <ol className="mt-2 list-decimal space-y-1 pl-5 text-sm">
          {r.trace.map((s, i) => (
            <li key={i}>
              {s.message}
              {"detail" in s && s.detail && <span className="block text-xs text-slate-500">{s.detail}</span>}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/**
 * The policy tester, standalone (with a cluster picker and page header) or embedded on a policy's
 * page for one cluster (`cluster` given).
 */
export function PolicyTester({ cluster: fixedCluster }: { cluster?: string } = {}) {
  const picker = useClusterPicker();
  const { clusters, setCluster } = picker;
  const cluster = fixedCluster ?? picker.cluster;
  const embedded = fixedCluster !== undefined;
  const [srcKind, setSrcKind] = useState<"pod" | "ip">("pod");
  const [src, setSrc] = useState("");
  const [dstKind, setDstKind] = useState<"pod" | "ip" | "domain">("ip");
  const [dst, setDst] = useState("");
  const [domain, setDomain] = useState("");
  const [protocol, setProtocol] = useState("TCP");
  const [port, setPort] = useState("443");
  const pods = useQuery({
    queryKey: ["inventory", cluster, "tester-pods"],
    queryFn: () => api<{ items: Array<{ namespace: string; name: string }> }>(`/api/v1/clusters/${encodeURIComponent(cluster)}/pods${qs({ pageSize: 500 })}`),
    enabled: cluster !== "",
  });
  // With an open draft of their own, authors also see the flow against the draft applied.
  const myDraft = useMyDraft(cluster).data ?? null;
  const draftId = myDraft && myDraft.items.length > 0 ? myDraft.id : null;
  const run = useMutation({
    mutationFn: async () => {
      const destination = dstKind === "pod" ? { pod: dst.trim() } : dstKind === "domain" ? { ip: dst.trim() || "203.0.113.10", domain: domain.trim() } : { ip: dst.trim() };
      const body = {
        source: srcKind === "pod" ? { pod: src.trim() } : { ip: src.trim() },
        destination,
        protocol,
        ...(port && (protocol === "TCP" || protocol === "UDP" || protocol === "SCTP") ? { port: Number(port) } : {}),
      };
      const url = `/api/v1/clusters/${encodeURIComponent(cluster)}/simulate`;
      const [current, withDraft] = await Promise.all([api<Simulation>(url, { body }), draftId ? api<Simulation>(url, { body: { ...body, changeRequest: draftId } }) : Promise.resolve(null)]);
      return { current, withDraft };
    },
  });
  const err = run.error instanceof ApiError ? run.error : null;
  const r = run.data?.current.result;
  const d = run.data?.withDraft?.result ?? null;
  const verdictChanged = Boolean(r && d && r.action !== d.action);
  return (
    <>
      {!embedded && <PageHeader title="Policy tester" description="Evaluate one flow against the published policy, exactly as the agents enforce it: the source pod's egress, then the destination pod's ingress, tier by tier. With a draft of your own, the flow is also evaluated with your draft applied." />}
      <Card title={embedded ? "Test a flow" : undefined}>
        {embedded && <p className="mb-3 text-sm text-slate-600">Evaluate one flow against the published policy and, once you have saved this policy to your draft, against the state with your draft applied.</p>}
        <form className="grid gap-4 md:grid-cols-2" onSubmit={(e) => { e.preventDefault(); run.mutate(); }}>
          {!embedded && <ClusterSelect options={clusters.data?.items} value={cluster} onChange={setCluster} className="md:col-span-2" />}
          <fieldset className="flex flex-col gap-2">
            <legend className="text-sm font-medium text-slate-700">Source</legend>
            <select aria-label="Source kind" className={selectClass} value={srcKind} onChange={(e) => setSrcKind(e.target.value as "pod" | "ip")}>
              <option value="pod">Pod</option>
              <option value="ip">IP address</option>
            </select>
            <Field label={srcKind === "pod" ? "Source pod (namespace/name)" : "Source IP"} list="tester-pods" value={src} onChange={(e) => setSrc(e.target.value)} error={err?.fieldMessage("source") ?? err?.errors.find((x) => x.path.startsWith("source"))?.message} />
          </fieldset>
          <fieldset className="flex flex-col gap-2">
            <legend className="text-sm font-medium text-slate-700">Destination</legend>
            <select aria-label="Destination kind" className={selectClass} value={dstKind} onChange={(e) => setDstKind(e.target.value as "pod" | "ip" | "domain")}>
              <option value="pod">Pod</option>
              <option value="ip">IP address</option>
              <option value="domain">Domain (DNS policy)</option>
            </select>
            {dstKind === "domain" && <Field label="Domain" placeholder="api.stripe.com" value={domain} onChange={(e) => setDomain(e.target.value)} />}
            <Field
              label={dstKind === "pod" ? "Destination pod (namespace/name)" : dstKind === "domain" ? "Address it resolved to" : "Destination IP"}
              placeholder={dstKind === "domain" ? "203.0.113.10" : undefined}
              list={dstKind === "pod" ? "tester-pods" : undefined}
              value={dst}
              onChange={(e) => setDst(e.target.value)}
              error={err?.fieldMessage("destination") ?? err?.errors.find((x) => x.path.startsWith("destination"))?.message}
            />
          </fieldset>
          <div className="flex items-end gap-3">
            <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
              Protocol
              <select className={selectClass} value={protocol} onChange={(e) => setProtocol(e.target.value)}>
                {["TCP", "UDP", "SCTP", "ICMP", "ICMPv6"].map((p) => <option key={p}>{p}</option>)}
              </select>
            </label>
            <Field label="Port" inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value.replace(/\D/g, ""))} className="w-28" error={err?.fieldMessage("port")} />
          </div>
          <div className="flex items-end justify-end">
            <Button type="submit" disabled={run.isPending || !cluster}>{run.isPending ? "Evaluating…" : "Evaluate"}</Button>
          </div>
          <datalist id="tester-pods">
            {pods.data?.items.map((p) => <option key={`${p.namespace}/${p.name}`} value={`${p.namespace}/${p.name}`} />)}
          </datalist>
        </form>
      </Card>
      {err && err.errors.length === 0 && <Alert className="mt-4">{err.message}</Alert>}
      {r && d && (
        <Alert tone={verdictChanged ? "warning" : "info"} className="mt-6">
          <span data-testid="draft-verdict-change">
            {verdictChanged ? (
              <>
                <strong>Your draft changes the verdict:</strong> {r.action.toUpperCase()} → {d.action.toUpperCase()}.
              </>
            ) : (
              <>Your draft (#{run.data?.withDraft?.changeRequest?.number}) does not change the verdict: {r.action.toUpperCase()} either way.</>
            )}
          </span>
        </Alert>
      )}
      {r && (
        <div className={d ? "mt-6 grid gap-6 xl:grid-cols-2" : "mt-6"}>
          <Card title={<span>{d ? "Current state: " : "Verdict "}<span data-testid="verdict"><Badge tone={r.action === "Allow" ? "green" : "red"}>{r.action.toUpperCase()}</Badge></span>{r.stagedAction && r.stagedAction !== r.action && <span className="ml-2 text-xs font-normal text-amber-700">with staged policies: {r.stagedAction.toUpperCase()}</span>} <span className="text-xs font-normal text-slate-500">revision {run.data?.current.revision}</span></span>}>
            <div className={d ? "grid gap-6" : "grid gap-6 md:grid-cols-2"}>
              <Trace title="Egress of the source" r={r.egress} />
              <Trace title="Ingress of the destination" r={r.ingress} />
            </div>
          </Card>
          {d && (
            <Card
              className={verdictChanged ? "border-amber-400 ring-2 ring-amber-300" : undefined}
              title={
                <span>
                  With your draft applied: <span data-testid="draft-verdict"><Badge tone={d.action === "Allow" ? "green" : "red"}>{d.action.toUpperCase()}</Badge></span>
                  {verdictChanged && <span className="ml-2 text-xs font-medium text-amber-800">changed from {r.action.toUpperCase()}</span>}{" "}
                  {run.data?.withDraft?.changeRequest && (
                    <Link href={`/changes/${run.data.withDraft.changeRequest.id}`} className="text-xs font-normal text-brand-700 underline">
                      draft #{run.data.withDraft.changeRequest.number} · {run.data.withDraft.changeRequest.changes} change{run.data.withDraft.changeRequest.changes === 1 ? "" : "s"}
                    </Link>
                  )}
                </span>
              }
            >
              <div className="grid gap-6">
                <Trace title="Egress of the source" r={d.egress} testIdPrefix="draft-" changedFrom={r.egress?.verdict ?? null} />
                <Trace title="Ingress of the destination" r={d.ingress} testIdPrefix="draft-" changedFrom={r.ingress?.verdict ?? null} />
              </div>
            </Card>
          )}
        </div>
      )}
    </>
  );
}
