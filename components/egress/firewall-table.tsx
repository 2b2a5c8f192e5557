"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, qs } from "../api";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, Card } from "../ui/card";
import { EmptyState, Loading } from "../ui/empty";
import { egressKeys } from "./keys";

interface FirewallRow {
  namespace: string;
  assignment: string;
  egressIp: string;
  pool: string;
  destinations: string;
  gatewayNode: string;
  status: "ok" | "no-gateway" | "unknown";
  lastChangeRevision: number;
  lastChangeAt: string;
  lastChangeBy: string;
}
interface FirewallPage {
  total: number;
  items: FirewallRow[];
}

/** Extra per-row facts the egress view already has (whether the IP was requested, the pod selector). */
export interface FirewallRowExtra {
  requested: boolean;
  podSelector: string | null;
  holderSince: string | null;
}

const PAGE_SIZE = 50;
const selectClass = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

/**
 * The firewall view for the network team: namespace, egress IP, pool, destinations, the node
 * holding it, last change — filtered, sorted and paginated on the server; the export is the whole
 * filtered set, made by the server.
 */
export function FirewallTable({
  cluster,
  canAuthor,
  extra,
  onEdit,
}: {
  cluster: string;
  canAuthor: boolean;
  extra: (namespace: string, name: string) => FirewallRowExtra | undefined;
  onEdit: (namespace: string, name: string) => void;
}) {
  const [q, setQ] = useState("");
  const [status, setStatus] = useState<"all" | "ok" | "no-gateway" | "unknown">("all");
  const [sort, setSort] = useState<"namespace" | "ip" | "pool" | "change">("namespace");
  const [page, setPage] = useState(1);
  const filters = { q: q.trim() || undefined, status: status === "all" ? undefined : status, sort };
  const params = { ...filters, page, pageSize: PAGE_SIZE };
  const base = `/api/v1/clusters/${encodeURIComponent(cluster)}/egress/firewall`;
  const rows = useQuery({
    queryKey: egressKeys.firewall(cluster, params),
    queryFn: () => api<FirewallPage>(`${base}${qs(params)}`),
    refetchInterval: 5000,
    placeholderData: keepPreviousData,
  });
  const pages = rows.data ? Math.max(1, Math.ceil(rows.data.total / PAGE_SIZE)) : 1;
  const filtered = Boolean(filters.q || filters.status);
  const exportAs = (format: "csv" | "json") => {
    const a = document.createElement("a");
    a.href = `${base}${qs({ ...filters, format })}`;
    a.download = `egress-${cluster}.${format}`;
    a.click();
  };
  return (
    <Card
      title="Firewall view"
      actions={
        rows.data && rows.data.total > 0 ? (
          <span className="flex gap-2">
            <Button variant="secondary" size="sm" onClick={() => exportAs("csv")}>Export CSV</Button>
            <Button variant="secondary" size="sm" onClick={() => exportAs("json")}>Export JSON</Button>
          </span>
        ) : undefined
      }
    >
      <div className="mb-3 flex flex-wrap items-end gap-3" role="search" aria-label="Filter the firewall view">
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          Find
          <input className="w-64 rounded-md border border-slate-300 px-2 py-1.5 text-sm" value={q} placeholder="namespace, IP, pool, node" onChange={(e) => { setQ(e.target.value); setPage(1); }} />
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          Gateway status
          <select className={selectClass} value={status} onChange={(e) => { setStatus(e.target.value as typeof status); setPage(1); }}>
            <option value="all">All</option>
            <option value="ok">Carried by a gateway node</option>
            <option value="no-gateway">No healthy gateway</option>
            <option value="unknown">No agent report yet</option>
          </select>
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          Sort by
          <select className={selectClass} value={sort} onChange={(e) => { setSort(e.target.value as typeof sort); setPage(1); }}>
            <option value="namespace">Namespace</option>
            <option value="ip">Egress IP</option>
            <option value="pool">Pool</option>
            <option value="change">Last change</option>
          </select>
        </label>
        {filtered && <span className="text-xs text-slate-500">Exports contain the filtered rows.</span>}
      </div>
      {rows.isPending && <Loading />}
      {rows.isError && <Alert>Could not load the firewall view: {rows.error.message}</Alert>}
      {rows.data && rows.data.total === 0 && !filtered && (
        <EmptyState title="No egress assignments in the published revision">{canAuthor ? "Assign an egress IP to a namespace: it is saved into your draft change request." : "Assignments are proposed through change requests."}</EmptyState>
      )}
      {rows.data && rows.data.total === 0 && filtered && <p className="text-sm text-slate-500">No assignment matches these filters.</p>}
      {rows.data && rows.data.total > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" aria-label="Firewall view">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <th scope="col" className="py-2 pr-3 font-medium">Namespace</th>
                <th scope="col" className="py-2 pr-3 font-medium">Egress IP</th>
                <th scope="col" className="py-2 pr-3 font-medium">Pool</th>
                <th scope="col" className="py-2 pr-3 font-medium">Destinations</th>
                <th scope="col" className="py-2 pr-3 font-medium">Gateway node</th>
                <th scope="col" className="py-2 pr-3 font-medium">Last change</th>
                {canAuthor && <th scope="col" className="py-2 font-medium"><span className="sr-only">Actions</span></th>}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.data.items.map((r) => {
                const x = extra(r.namespace, r.assignment);
                return (
                  <tr key={`${r.namespace}/${r.assignment}`} data-testid={`egress-row-${r.namespace}`}>
                    <td className="py-2 pr-3">
                      <span className="font-mono">{r.namespace}</span>
                      {x?.podSelector && <span className="block text-xs text-slate-500">pods: {x.podSelector}</span>}
                    </td>
                    <td className="py-2 pr-3 font-mono">
                      {r.egressIp || "none available"}
                      {r.egressIp && x && !x.requested && <span className="block font-sans text-xs text-slate-500">allocated</span>}
                    </td>
                    <td className="py-2 pr-3">{r.pool}</td>
                    <td className="py-2 pr-3 text-xs">{r.destinations}</td>
                    <td className="py-2 pr-3">
                      {r.status === "ok" && r.gatewayNode ? (
                        <Badge tone="green">{r.gatewayNode}{x?.holderSince ? ` since ${new Date(x.holderSince).toLocaleTimeString()}` : ""}</Badge>
                      ) : r.status === "no-gateway" ? (
                        <Badge tone="red">no healthy gateway</Badge>
                      ) : (
                        <Badge>no agent report yet</Badge>
                      )}
                    </td>
                    <td className="py-2 pr-3 text-xs">
                      r{r.lastChangeRevision}
                      {r.lastChangeAt && ` · ${new Date(r.lastChangeAt).toLocaleString()}`}
                      {r.lastChangeBy && ` · ${r.lastChangeBy}`}
                    </td>
                    {canAuthor && (
                      <td className="py-2 text-right">
                        <Button size="sm" variant="ghost" onClick={() => onEdit(r.namespace, r.assignment)} aria-label={`Edit egress IP of ${r.namespace}/${r.assignment}`}>
                          Edit
                        </Button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="mt-3 flex items-center justify-between text-sm text-slate-600">
            <span>{rows.data.total} assignment{rows.data.total === 1 ? "" : "s"} · page {page} of {pages}</span>
            <span className="flex gap-2">
              <Button size="sm" variant="secondary" disabled={page <= 1} onClick={() => setPage((x) => x - 1)}>Previous</Button>
              <Button size="sm" variant="secondary" disabled={page >= pages} onClick={() => setPage((x) => x + 1)}>Next</Button>
            </span>
          </div>
        </div>
      )}
    </Card>
  );
}
