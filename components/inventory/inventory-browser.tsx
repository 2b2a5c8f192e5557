"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, qs } from "../api";
import { clusterKeys } from "../clusters/clusters-list";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, PageHeader } from "../ui/card";
import { Dialog } from "../ui/dialog";
import { EmptyState, Loading } from "../ui/empty";
import { Field } from "../ui/field";
import { inventoryKeys } from "./keys";

interface Pod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  serviceAccount: string;
  nodeName: string;
  podIps: string[];
  ports: Array<{ name: string; port: number; protocol: string }>;
  phase: string;
  updatedAt: string;
}

const LABEL_FILTER = /^[A-Za-z0-9_./-]+(=.*)?$/;

export function InventoryBrowser() {
  const clusters = useQuery({ queryKey: clusterKeys.list(), queryFn: () => api<{ items: Array<{ name: string; displayName: string }> }>("/api/v1/clusters") });
  const [picked, setPicked] = useState("");
  const cluster = picked || clusters.data?.items[0]?.name || "";
  const [namespace, setNamespace] = useState("");
  const [labelText, setLabelText] = useState("");
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<Pod | null>(null);
  const pageSize = 25;
  const labels = labelText.split(/[\s,]+/).filter(Boolean);
  const labelError = labels.find((l) => !LABEL_FILTER.test(l));

  const namespaces = useQuery({
    queryKey: inventoryKeys.namespaces(cluster),
    queryFn: () => api<{ items: Array<{ name: string; labels: Record<string, string>; pods: number }> }>(`/api/v1/clusters/${encodeURIComponent(cluster)}/namespaces`),
    enabled: cluster !== "",
  });
  const params = { namespace: namespace || undefined, label: labels.join(",") || undefined, q: q || undefined, page, pageSize };
  const pods = useQuery({
    queryKey: inventoryKeys.pods(cluster, params),
    queryFn: () => {
      const search = new URLSearchParams(qs({ namespace: params.namespace, q: params.q, page, pageSize }).slice(1));
      for (const l of labels) search.append("label", l);
      return api<{ items: Pod[]; total: number }>(`/api/v1/clusters/${encodeURIComponent(cluster)}/pods?${search}`);
    },
    enabled: cluster !== "" && !labelError,
    placeholderData: keepPreviousData,
  });
  const pages = pods.data ? Math.max(1, Math.ceil(pods.data.total / pageSize)) : 1;

  return (
    <>
      <PageHeader title="Inventory" description="Namespaces and pods as each cluster's agents report them, with the labels that policy selectors match." />
      {clusters.isPending && <Loading />}
      {clusters.data?.items.length === 0 && <EmptyState title="No clusters yet" />}
      {cluster && (
        <>
          <div className="mb-4 flex flex-wrap items-end gap-3" role="search">
            <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
              Cluster
              <select className="rounded-md border border-slate-300 bg-white px-2 py-2 text-sm" value={cluster} onChange={(e) => { setPicked(e.target.value); setNamespace(""); setPage(1); }}>
                {clusters.data?.items.map((c) => (
                  <option key={c.name} value={c.name}>{c.displayName}</option>
                ))}
              </select>
            </label>
            <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
              Namespace
              <select className="rounded-md border border-slate-300 bg-white px-2 py-2 text-sm" value={namespace} onChange={(e) => { setNamespace(e.target.value); setPage(1); }}>
                <option value="">All namespaces</option>
                {namespaces.data?.items.map((n) => (
                  <option key={n.name} value={n.name}>{n.name} ({n.pods})</option>
                ))}
              </select>
            </label>
            <Field label="Labels" placeholder="app=web tier" value={labelText} onChange={(e) => { setLabelText(e.target.value); setPage(1); }} error={labelError ? `"${labelError}" is not key=value or key` : undefined} hint="key=value or key (present); all must match" className="w-72" />
            <Field label="Pod name or IP" value={q} onChange={(e) => { setQ(e.target.value); setPage(1); }} className="w-56" />
          </div>
          {pods.isError && <Alert>Could not load pods: {pods.error.message}</Alert>}
          {pods.isPending && !labelError && <Loading />}
          {pods.data && pods.data.items.length === 0 && <EmptyState title="No pods match these filters" />}
          {pods.data && pods.data.items.length > 0 && (
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
              <table className="w-full text-left text-sm">
                <thead className="bg-slate-50 text-xs uppercase text-slate-500">
                  <tr>
                    <th scope="col" className="px-3 py-2 font-medium">Pod</th>
                    <th scope="col" className="px-3 py-2 font-medium">Labels</th>
                    <th scope="col" className="px-3 py-2 font-medium">IPs</th>
                    <th scope="col" className="px-3 py-2 font-medium">Node</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {pods.data.items.map((p) => (
                    <tr key={`${p.namespace}/${p.name}`} data-testid={`pod-row-${p.namespace}-${p.name}`}>
                      <td className="px-3 py-2">
                        <button type="button" className="text-left font-medium text-brand-700 hover:underline" onClick={() => setOpen(p)}>
                          {p.name}
                        </button>
                        <span className="block font-mono text-xs text-slate-500">{p.namespace}</span>
                      </td>
                      <td className="px-3 py-2">
                        <span className="flex max-w-xl flex-wrap gap-1">
                          {Object.entries(p.labels)
                            .filter(([k]) => !k.startsWith("pod-template-hash") && !k.startsWith("statefulset.kubernetes.io"))
                            .slice(0, 6)
                            .map(([k, v]) => (
                              <Badge key={k}>{k}={v}</Badge>
                            ))}
                        </span>
                      </td>
                      <td className="px-3 py-2 font-mono text-xs">{p.podIps.join(", ")}</td>
                      <td className="px-3 py-2 font-mono text-xs">{p.nodeName}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="flex items-center justify-between border-t border-slate-100 px-3 py-2 text-sm text-slate-600">
                <span>{pods.data.total} pods · page {page} of {pages}</span>
                <span className="flex gap-2">
                  <Button size="sm" variant="secondary" disabled={page <= 1} onClick={() => setPage((x) => x - 1)}>Previous</Button>
                  <Button size="sm" variant="secondary" disabled={page >= pages} onClick={() => setPage((x) => x + 1)}>Next</Button>
                </span>
              </div>
            </div>
          )}
        </>
      )}
      {open && (
        <Dialog open onOpenChange={(o) => !o && setOpen(null)} title={`${open.namespace}/${open.name}`} description="Labels, addresses and ports that policy rules match on, and the policies that select this pod.">
          <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-2 text-sm">
            <dt className="text-slate-500">Node</dt>
            <dd className="font-mono">{open.nodeName}</dd>
            <dt className="text-slate-500">Service account</dt>
            <dd className="font-mono">{open.serviceAccount}</dd>
            <dt className="text-slate-500">IPs</dt>
            <dd className="font-mono">{open.podIps.join(", ")}</dd>
            <dt className="text-slate-500">Named ports</dt>
            <dd className="font-mono">{open.ports.map((p) => `${p.name} ${p.port}/${p.protocol}`).join(", ") || "none"}</dd>
            <dt className="text-slate-500">Labels</dt>
            <dd className="flex flex-wrap gap-1">
              {Object.entries(open.labels).map(([k, v]) => (
                <Badge key={k}>{k}={v}</Badge>
              ))}
            </dd>
          </dl>
          <PodPolicies cluster={cluster} namespace={open.namespace} name={open.name} />
        </Dialog>
      )}
    </>
  );
}

interface PodPolicy {
  tier: string;
  policy: string;
  order: number | null;
  staged: boolean;
  rules: number;
}

/** The published policies that select one pod, per direction, in evaluation order. */
function PodPolicies({ cluster, namespace, name }: { cluster: string; namespace: string; name: string }) {
  const q = useQuery({
    queryKey: [...inventoryKeys.all(cluster), "pod-policies", namespace, name],
    queryFn: () => api<{ ingress: PodPolicy[]; egress: PodPolicy[] }>(`/api/v1/clusters/${encodeURIComponent(cluster)}/pods/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/policies`),
  });
  if (q.isPending) return <Loading label="Finding the policies that select this pod…" />;
  if (q.isError) return <Alert className="mt-3">{q.error.message}</Alert>;
  return (
    <div className="mt-4 grid gap-4 text-sm md:grid-cols-2" data-testid="pod-policies">
      {(["ingress", "egress"] as const).map((d) => (
        <div key={d}>
          <h3 className="font-semibold capitalize">{d}</h3>
          {q.data[d].length === 0 ? (
            <p className="text-slate-500">No policy selects it: allowed by its namespace profile.</p>
          ) : (
            <ol className="mt-1 list-decimal space-y-0.5 pl-5">
              {q.data[d].map((p) => (
                <li key={p.policy}>
                  <span className="font-mono text-xs">{p.policy}</span> <span className="text-xs text-slate-500">tier {p.tier}{p.order !== null ? `, order ${p.order}` : ""}, {p.rules} rule{p.rules === 1 ? "" : "s"}</span>
                  {p.staged && <Badge tone="amber">staged</Badge>}
                </li>
              ))}
            </ol>
          )}
        </div>
      ))}
    </div>
  );
}
