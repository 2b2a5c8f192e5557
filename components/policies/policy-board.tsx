"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { api } from "../api";
import { ClusterSelect, useClusterPicker } from "../clusters/cluster-picker";
import { Alert } from "../ui/alert";
import { Badge, Card, PageHeader } from "../ui/card";
import { EmptyState, Loading } from "../ui/empty";

interface BoardPolicy {
  kind: string;
  namespace: string | null;
  name: string;
  staged: boolean;
  order: number | null;
  selector: string;
  types: string[];
  ingressRules: number;
  egressRules: number;
  selectedPods: number;
}
interface Board {
  cluster: string;
  revision: number;
  pods: number;
  tiers: Array<{ name: string; order: number | null; defaultAction: string; defined: boolean; policies: BoardPolicy[] }>;
}

export const policyKeys = { board: (cluster: string) => ["policies", "board", cluster] as const };

const KIND_LABEL: Record<string, string> = {
  NetworkPolicy: "namespaced",
  GlobalNetworkPolicy: "global",
  StagedNetworkPolicy: "staged, namespaced",
  StagedGlobalNetworkPolicy: "staged, global",
};

export function PolicyBoard() {
  const { clusters, cluster, setCluster } = useClusterPicker();
  const q = useQuery({
    queryKey: policyKeys.board(cluster),
    queryFn: () => api<Board>(`/api/v1/clusters/${encodeURIComponent(cluster)}/policy-board`),
    enabled: cluster !== "",
  });
  const b = q.data;
  const total = b ? b.tiers.reduce((n, t) => n + t.policies.length, 0) : 0;
  return (
    <>
      <PageHeader
        title="Policies"
        description="Published policies in evaluation order: tiers by order, then policies by order and name, as Calico evaluates them. Changes go through change requests."
        actions={
          <>
            {cluster && (
              <a href={`/api/v1/clusters/${encodeURIComponent(cluster)}/export`} download className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium hover:bg-slate-50">
                Export YAML
              </a>
            )}
            <Link href="/policies/test" className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium hover:bg-slate-50">Test a flow</Link>
            <Link href="/changes" className="inline-flex items-center rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700">Propose a change</Link>
          </>
        }
      />
      <ClusterSelect options={clusters.data?.items} value={cluster} onChange={setCluster} />
      {(clusters.isPending || q.isPending) && <Loading />}
      {q.isError && <Alert>Could not load policies: {q.error.message}</Alert>}
      {b && total === 0 && <EmptyState title="No policies are published for this cluster">Every pod is allowed in both directions until a policy selects it. Propose policies in Changes.</EmptyState>}
      {b && total > 0 && (
        <div className="flex flex-col gap-6">
          <p className="text-sm text-slate-600">
            Revision {b.revision} · {total} polic{total === 1 ? "y" : "ies"} · pod counts over {b.pods} running pods in the inventory
          </p>
          {b.tiers.map((t) => (
            <Card
              key={t.name}
              title={
                <span>
                  Tier <span className="font-mono">{t.name}</span>{" "}
                  <span className="text-xs font-normal text-slate-500">
                    order {t.order ?? "none (last)"} · end of tier: {t.defaultAction === "Pass" ? "pass to the next tier" : "deny"}
                    {!t.defined && " · not defined"}
                  </span>
                </span>
              }
            >
              {t.policies.length === 0 ? (
                <p className="text-sm text-slate-500">No policies in this tier.</p>
              ) : (
                <div className="overflow-x-auto">
                  <table className="w-full text-left text-sm" aria-label={`Policies in tier ${t.name}`}>
                    <thead className="text-xs uppercase text-slate-500">
                      <tr>
                        <th scope="col" className="py-2 pr-3 font-medium">Order</th>
                        <th scope="col" className="py-2 pr-3 font-medium">Policy</th>
                        <th scope="col" className="py-2 pr-3 font-medium">Selector</th>
                        <th scope="col" className="py-2 pr-3 font-medium">Directions</th>
                        <th scope="col" className="py-2 pr-3 text-right font-medium">Rules in / out</th>
                        <th scope="col" className="py-2 text-right font-medium">Pods selected</th>
                      </tr>
                    </thead>
                    <tbody className="divide-y divide-slate-100">
                      {t.policies.map((p) => (
                        <tr key={`${p.kind}/${p.namespace}/${p.name}`} data-testid={`board-policy-${p.name}`}>
                          <td className="py-2 pr-3 tabular-nums">{p.order ?? "–"}</td>
                          <td className="py-2 pr-3">
                            <span className="font-mono">{p.namespace ? `${p.namespace}/` : ""}{p.name}</span>{" "}
                            <Badge tone={p.staged ? "amber" : p.kind.includes("Global") ? "blue" : "slate"}>{KIND_LABEL[p.kind] ?? p.kind}</Badge>
                          </td>
                          <td className="max-w-md py-2 pr-3 font-mono text-xs break-all">{p.selector}</td>
                          <td className="py-2 pr-3 text-xs">{p.types.join(", ")}</td>
                          <td className="py-2 pr-3 text-right tabular-nums">{p.ingressRules} / {p.egressRules}</td>
                          <td className="py-2 text-right tabular-nums font-medium">{p.selectedPods}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Card>
          ))}
        </div>
      )}
    </>
  );
}
