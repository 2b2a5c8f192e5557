"use client";

import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { ClusterSelect, useClusterPicker } from "../clusters/cluster-picker";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, Card, PageHeader } from "../ui/card";
import { EmptyState, Loading } from "../ui/empty";

interface Assignment {
  namespace: string;
  name: string;
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
  pools: Array<{ name: string; cidrs: string[]; exclude: string[]; gatewayNodeSelector: string; description: string; size: number; used: number }>;
  assignments: Assignment[];
  ips: Array<{ ip: string; holder: string | null; valid: boolean; since: string | null; transitions: number; history: Array<{ holder: string | null; at: string; seenBy: string }> }>;
  alerts: Array<{ namespace: string; name: string; ip: string | null; problem: string }>;
}

export const egressKeys = { view: (cluster: string) => ["egress", cluster] as const };

/** The firewall view's rows, as exported. */
function firewallRows(v: View) {
  return v.assignments.map((a) => ({
    namespace: a.namespace,
    assignment: a.name,
    egressIp: a.ip ?? "",
    pool: a.pool,
    destinations: a.destinations.join(" "),
    gatewayNode: a.holder ?? "",
    status: a.status,
    lastChangeRevision: a.lastChange.revision,
    lastChangeAt: a.lastChange.at ?? "",
    lastChangeBy: a.lastChange.by ?? "",
  }));
}

function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

function toCsv(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return "";
  const cols = Object.keys(rows[0]!);
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [cols.join(","), ...rows.map((r) => cols.map((c) => cell(r[c]!)).join(","))].join("\n") + "\n";
}

export function EgressView() {
  const { clusters, cluster, setCluster } = useClusterPicker();
  const q = useQuery({
    queryKey: egressKeys.view(cluster),
    queryFn: () => api<View>(`/api/v1/clusters/${encodeURIComponent(cluster)}/egress`),
    enabled: cluster !== "",
    refetchInterval: 5000,
  });
  const v = q.data;
  return (
    <>
      <PageHeader
        title="Egress"
        description="Fixed source addresses per namespace for traffic leaving the cluster, which node carries each address right now, and the firewall view for the network team."
        actions={
          v && v.assignments.length > 0 ? (
            <>
              <Button variant="secondary" onClick={() => download(`egress-${v.cluster}.csv`, "text/csv", toCsv(firewallRows(v)))}>Export CSV</Button>
              <Button variant="secondary" onClick={() => download(`egress-${v.cluster}.json`, "application/json", JSON.stringify(firewallRows(v), null, 2) + "\n")}>Export JSON</Button>
            </>
          ) : undefined
        }
      />
      <ClusterSelect options={clusters.data?.items} value={cluster} onChange={setCluster} />
      {(clusters.isPending || q.isPending) && <Loading />}
      {q.isError && <Alert>Could not load egress state: {q.error.message}</Alert>}
      {v && (
        <div className="flex flex-col gap-6">
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
          <Card title="Firewall view">
            {v.assignments.length === 0 ? (
              <EmptyState title="No egress assignments in the published revision">Assignments are proposed through change requests.</EmptyState>
            ) : (
              <div className="overflow-x-auto">
                <table className="w-full text-left text-sm" aria-label="Firewall view">
                  <thead className="text-xs uppercase text-slate-500">
                    <tr>
                      <th scope="col" className="py-2 pr-3 font-medium">Namespace</th>
                      <th scope="col" className="py-2 pr-3 font-medium">Egress IP</th>
                      <th scope="col" className="py-2 pr-3 font-medium">Pool</th>
                      <th scope="col" className="py-2 pr-3 font-medium">Destinations</th>
                      <th scope="col" className="py-2 pr-3 font-medium">Gateway node</th>
                      <th scope="col" className="py-2 font-medium">Last change</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {v.assignments.map((a) => (
                      <tr key={`${a.namespace}/${a.name}`} data-testid={`egress-row-${a.namespace}`}>
                        <td className="py-2 pr-3">
                          <span className="font-mono">{a.namespace}</span>
                          {a.podSelector && <span className="block text-xs text-slate-500">pods: {a.podSelector}</span>}
                        </td>
                        <td className="py-2 pr-3 font-mono">
                          {a.ip ?? "none available"}
                          {a.ip && !a.requested && <span className="block font-sans text-xs text-slate-500">allocated</span>}
                        </td>
                        <td className="py-2 pr-3">{a.pool}</td>
                        <td className="py-2 pr-3 text-xs">{a.destinations.join(", ")}</td>
                        <td className="py-2 pr-3">
                          {a.status === "ok" && a.holder ? (
                            <Badge tone="green">{a.holder}{a.holderSince ? ` since ${new Date(a.holderSince).toLocaleTimeString()}` : ""}</Badge>
                          ) : a.status === "no-gateway" ? (
                            <Badge tone="red">no healthy gateway</Badge>
                          ) : (
                            <Badge>no agent report yet</Badge>
                          )}
                        </td>
                        <td className="py-2 text-xs">
                          r{a.lastChange.revision}
                          {a.lastChange.at && ` · ${new Date(a.lastChange.at).toLocaleString()}`}
                          {a.lastChange.by && ` · ${a.lastChange.by}`}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
          <div className="grid gap-6 xl:grid-cols-2">
            <Card title="Egress IP pools">
              {v.pools.length === 0 ? (
                <EmptyState title="No egress IP pools" />
              ) : (
                <ul className="flex flex-col gap-3 text-sm">
                  {v.pools.map((p) => (
                    <li key={p.name} data-testid={`pool-${p.name}`}>
                      <div className="flex justify-between">
                        <span className="font-medium">{p.name}</span>
                        <span className="tabular-nums text-slate-600">{p.used} of {p.size} addresses used</span>
                      </div>
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
    </>
  );
}
