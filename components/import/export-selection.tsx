"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, qs } from "../api";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, Card } from "../ui/card";
import { EmptyState, Loading } from "../ui/empty";
import { Field } from "../ui/field";
import { SelectField } from "../ui/select-field";
import { importKeys } from "./keys";

const KINDS = ["Tier", "GlobalNetworkPolicy", "NetworkPolicy", "StagedGlobalNetworkPolicy", "StagedNetworkPolicy", "GlobalNetworkSet", "NetworkSet", "EgressIPPool", "EgressAssignment"] as const;
const PAGE_SIZE = 20;
/** The export endpoint takes at most this many hand-picked resources. */
const MAX_SELECTED = 500;

interface ResourceRow {
  kind: string;
  namespace: string | null;
  name: string;
  labels: Record<string, string>;
  version: number;
  revision: number;
  updatedAt: string;
}
interface ResourcePage {
  revision: number;
  items: ResourceRow[];
  total: number;
  page: number;
  pageSize: number;
}

const refOf = (r: Pick<ResourceRow, "kind" | "namespace" | "name">) => `${r.kind}/${r.namespace ?? ""}/${r.name}`;

/** URL of the YAML export of a selection (kinds, namespace, hand-picked resources). */
function exportUrl(cluster: string, filter: { kind?: string; namespace?: string; resources?: string[] }): string {
  const u = new URLSearchParams();
  if (filter.kind) u.append("kind", filter.kind);
  if (filter.namespace) u.append("namespace", filter.namespace);
  for (const r of filter.resources ?? []) u.append("resource", r);
  const s = u.toString();
  return `/api/v1/clusters/${encodeURIComponent(cluster)}/export${s ? `?${s}` : ""}`;
}

/**
 * Export a hand-picked selection of the cluster's published resources as YAML: a filterable,
 * sortable, server-paginated list with checkboxes; the selection is kept across pages.
 */
export function ExportSelection({ cluster }: { cluster: string }) {
  const [kind, setKind] = useState("");
  const [namespace, setNamespace] = useState("");
  const [q, setQ] = useState("");
  const [sort, setSort] = useState<"kind" | "name" | "updated">("kind");
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<ReadonlyMap<string, ResourceRow>>(new Map());
  const params = { kind: kind || undefined, namespace: namespace.trim() || undefined, q: q.trim() || undefined, sort, page, pageSize: PAGE_SIZE };
  const list = useQuery({
    queryKey: importKeys.resources(cluster, params),
    queryFn: () => api<ResourcePage>(`/api/v1/clusters/${encodeURIComponent(cluster)}/resources${qs(params)}`),
    enabled: cluster !== "",
    placeholderData: keepPreviousData,
  });
  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  const onPage = data?.items ?? [];
  const allOnPage = onPage.length > 0 && onPage.every((r) => selected.has(refOf(r)));
  const full = selected.size >= MAX_SELECTED;

  const toggle = (r: ResourceRow) =>
    setSelected((s) => {
      const n = new Map(s);
      if (n.has(refOf(r))) n.delete(refOf(r));
      else if (n.size < MAX_SELECTED) n.set(refOf(r), r);
      return n;
    });
  const togglePage = () =>
    setSelected((s) => {
      const n = new Map(s);
      if (allOnPage) for (const r of onPage) n.delete(refOf(r));
      else for (const r of onPage) if (n.size < MAX_SELECTED) n.set(refOf(r), r);
      return n;
    });
  const filtered = Boolean(kind || namespace.trim());

  return (
    <Card
      title="Export a selection"
      actions={
        <div className="flex flex-wrap gap-2">
          {filtered && (
            <a href={exportUrl(cluster, { kind, namespace: namespace.trim() })} download className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50">
              Export all {kind ? `${kind} resources` : "resources"}{namespace.trim() ? ` in ${namespace.trim()}` : ""}
            </a>
          )}
          {selected.size > 0 ? (
            <a
              href={exportUrl(cluster, { resources: [...selected.keys()] })}
              download
              data-testid="export-selected"
              className="inline-flex items-center rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700"
            >
              Export selected ({selected.size})
            </a>
          ) : (
            <span className="inline-flex items-center rounded-md bg-slate-100 px-3 py-1.5 text-sm font-medium text-slate-400" aria-disabled="true">
              Export selected (0)
            </span>
          )}
        </div>
      }
    >
      <div className="flex flex-col gap-3">
        <div className="flex flex-wrap items-end gap-3">
          <SelectField label="Kind" value={kind} onChange={(e) => { setKind(e.target.value); setPage(1); }}>
            <option value="">All kinds</option>
            {KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
          </SelectField>
          <Field label="Namespace" className="w-40" value={namespace} placeholder="any" onChange={(e) => { setNamespace(e.target.value); setPage(1); }} />
          <Field label="Name contains" className="w-48" value={q} onChange={(e) => { setQ(e.target.value); setPage(1); }} />
          <SelectField label="Sort by" value={sort} onChange={(e) => { setSort(e.target.value as typeof sort); setPage(1); }}>
            <option value="kind">Kind, namespace, name</option>
            <option value="name">Name</option>
            <option value="updated">Recently changed</option>
          </SelectField>
          {selected.size > 0 && (
            <Button size="sm" variant="ghost" onClick={() => setSelected(new Map())}>
              Clear selection
            </Button>
          )}
        </div>
        {full && <Alert tone="warning">At most {MAX_SELECTED} resources can be exported as a selection; export by kind or namespace for more.</Alert>}
        {list.isPending && <Loading />}
        {list.isError && <Alert>Could not load resources: {list.error.message}</Alert>}
        {data && data.items.length === 0 && <EmptyState title={filtered || q ? "No published resource matches these filters" : "Nothing is published in this cluster yet"} />}
        {data && data.items.length > 0 && (
          <div className="overflow-x-auto rounded-lg border border-slate-200">
            <table className="w-full text-left text-sm" aria-label="Published resources">
              <thead className="bg-slate-50 text-xs uppercase text-slate-500">
                <tr>
                  <th scope="col" className="w-10 px-3 py-2">
                    <input type="checkbox" aria-label="Select all on this page" checked={allOnPage} onChange={togglePage} />
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">Kind</th>
                  <th scope="col" className="px-3 py-2 font-medium">Namespace / name</th>
                  <th scope="col" className="px-3 py-2 font-medium">Labels</th>
                  <th scope="col" className="px-3 py-2 font-medium">Changed</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {data.items.map((r) => {
                  const ref = refOf(r);
                  const label = `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`;
                  return (
                    <tr key={ref} data-testid={`resource-${ref}`} className={selected.has(ref) ? "bg-brand-50" : undefined}>
                      <td className="px-3 py-2">
                        <input type="checkbox" aria-label={`Select ${label}`} checked={selected.has(ref)} disabled={!selected.has(ref) && full} onChange={() => toggle(r)} />
                      </td>
                      <td className="px-3 py-2">{r.kind}</td>
                      <td className="px-3 py-2 font-mono text-xs">{r.namespace ? `${r.namespace}/` : ""}{r.name}</td>
                      <td className="px-3 py-2">
                        <span className="flex flex-wrap gap-1">{Object.entries(r.labels ?? {}).map(([k, v]) => <Badge key={k}>{k}={v}</Badge>)}</span>
                      </td>
                      <td className="px-3 py-2 text-xs text-slate-600">revision {r.revision} · {new Date(r.updatedAt).toLocaleDateString()}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {data && data.total > 0 && (
          <div className="flex items-center justify-between text-sm text-slate-600">
            <span>
              {data.total} resource{data.total === 1 ? "" : "s"} in revision {data.revision} · page {data.page} of {pages} · {selected.size} selected
            </span>
            <span className="flex gap-2">
              <Button size="sm" variant="secondary" disabled={page <= 1} onClick={() => setPage((x) => x - 1)}>Previous</Button>
              <Button size="sm" variant="secondary" disabled={page >= pages} onClick={() => setPage((x) => x + 1)}>Next</Button>
            </span>
          </div>
        )}
      </div>
    </Card>
  );
}
