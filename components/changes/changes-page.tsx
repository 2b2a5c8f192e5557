"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { CHANGE_STATES, ZOpenFromYaml } from "@/server/policy/changes";
import type { RoleName } from "@/server/policy/roles";
import { api, ApiError, qs } from "../api";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, Card, PageHeader } from "../ui/card";
import { Dialog } from "../ui/dialog";
import { EmptyState, Loading } from "../ui/empty";
import { Field } from "../ui/field";
import { changeKeys, revisionKeys } from "./keys";
import { STATE_TONE, type ChangeSummary, type RevisionSummary } from "./types";

interface ClusterRow {
  id: string;
  name: string;
  displayName: string;
}
interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

const col = createColumnHelper<ChangeSummary>();
const selectClass = "rounded-md border border-slate-300 bg-white px-2 py-2 text-sm";

export function ChangesPage({ roles }: { roles: RoleName[] }) {
  const canAuthor = roles.includes("author");
  const [state, setState] = useState("");
  const [cluster, setCluster] = useState("");
  const [mine, setMine] = useState(false);
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const pageSize = 20;
  const clusters = useQuery({ queryKey: ["clusters", "list"], queryFn: () => api<{ items: ClusterRow[] }>("/api/v1/clusters") });
  const params = { cluster: cluster || undefined, state: state || undefined, mine: mine ? "true" : undefined, q: q || undefined, page, pageSize };
  const list = useQuery({
    queryKey: changeKeys.list(params),
    queryFn: () => api<Page<ChangeSummary>>(`/api/v1/changes${qs(params)}`),
    placeholderData: keepPreviousData,
  });
  const columns = [
    col.accessor("number", { header: "#", cell: (c) => <span className="tabular-nums text-slate-500">#{c.getValue()}</span> }),
    col.accessor("title", {
      header: "Title",
      cell: (c) => (
        <Link href={`/changes/${c.row.original.id}`} className="font-medium text-brand-700 hover:underline">
          {c.getValue()}
        </Link>
      ),
    }),
    col.accessor("cluster", { header: "Cluster", cell: (c) => <span className="font-mono">{c.getValue()}</span> }),
    col.accessor("state", { header: "State", cell: (c) => <Badge tone={STATE_TONE[c.getValue()]}>{c.getValue()}</Badge> }),
    col.accessor("authorName", { header: "Author" }),
    col.accessor("changes", { header: "Changes", cell: (c) => <span className="tabular-nums">{c.getValue() ?? 0}</span> }),
    col.accessor("updatedAt", { header: "Updated", cell: (c) => new Date(c.getValue()).toLocaleString() }),
  ];
  const table = useReactTable({ data: list.data?.items ?? [], columns, getCoreRowModel: getCoreRowModel(), manualPagination: true });
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / pageSize)) : 1;

  return (
    <>
      <PageHeader
        title="Changes"
        description="Nobody edits live policy. Every change is proposed here, reviewed by someone else, and published as a signed, immutable revision."
        actions={canAuthor ? <Button onClick={() => setCreating(true)}>New change request</Button> : undefined}
      />
      <div className="mb-4 flex flex-wrap items-end gap-3" role="search">
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          State
          <select aria-label="State" className={selectClass} value={state} onChange={(e) => { setState(e.target.value); setPage(1); }}>
            <option value="">Any state</option>
            {CHANGE_STATES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          Cluster
          <select aria-label="Cluster" className={selectClass} value={cluster} onChange={(e) => { setCluster(e.target.value); setPage(1); }}>
            <option value="">Any cluster</option>
            {clusters.data?.items.map((c) => <option key={c.id} value={c.name}>{c.displayName}</option>)}
          </select>
        </label>
        <Field label="Search" placeholder="title or author" value={q} onChange={(e) => { setQ(e.target.value); setPage(1); }} className="w-64" />
        <label className="flex items-center gap-2 pb-2 text-sm">
          <input type="checkbox" checked={mine} onChange={(e) => { setMine(e.target.checked); setPage(1); }} />
          Only mine
        </label>
      </div>
      {list.isPending && <Loading />}
      {list.isError && <Alert>Could not load change requests: {list.error.message}</Alert>}
      {list.data && list.data.items.length === 0 && <EmptyState title="No change requests match these filters" />}
      {list.data && list.data.items.length > 0 && (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-left text-sm" aria-label="Change requests">
            <thead className="bg-slate-50 text-xs uppercase text-slate-500">
              {table.getHeaderGroups().map((hg) => (
                <tr key={hg.id}>
                  {hg.headers.map((h) => (
                    <th key={h.id} scope="col" className="px-3 py-2 font-medium">{flexRender(h.column.columnDef.header, h.getContext())}</th>
                  ))}
                </tr>
              ))}
            </thead>
            <tbody className="divide-y divide-slate-100">
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id} data-testid={`change-row-${row.original.number}`}>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className="px-3 py-2 align-middle">{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <div className="flex items-center justify-between border-t border-slate-100 px-3 py-2 text-sm text-slate-600">
            <span>{list.data.total} request{list.data.total === 1 ? "" : "s"} · page {page} of {pages}</span>
            <span className="flex gap-2">
              <Button size="sm" variant="secondary" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>Previous</Button>
              <Button size="sm" variant="secondary" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>Next</Button>
            </span>
          </div>
        </div>
      )}
      {clusters.data && clusters.data.items.length > 0 && <RevisionHistory clusters={clusters.data.items} canAuthor={canAuthor} />}
      {creating && clusters.data && <NewChangeDialog clusters={clusters.data.items} onClose={() => setCreating(false)} />}
    </>
  );
}

type NewValues = { title: string; description?: string; yaml: string };

function NewChangeDialog({ clusters, onClose }: { clusters: ClusterRow[]; onClose: () => void }) {
  const router = useRouter();
  const qc = useQueryClient();
  const [cluster, setCluster] = useState(clusters[0]?.name ?? "");
  const form = useForm<NewValues>({ resolver: zodResolver(ZOpenFromYaml), defaultValues: { title: "", yaml: "" } });
  const open = useMutation({
    mutationFn: (v: NewValues) => api<ChangeSummary>(`/api/v1/clusters/${encodeURIComponent(cluster)}/changes`, { body: v }),
    onSuccess: (cr) => {
      void qc.invalidateQueries({ queryKey: changeKeys.all });
      router.push(`/changes/${cr.id}`);
    },
  });
  const err = open.error instanceof ApiError ? open.error : null;
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title="New change request" description="Paste multi-document Calico YAML: each resource becomes a create (new) or an update (existing) in a draft you can review before submitting.">
      <form noValidate className="flex flex-col gap-3" onSubmit={form.handleSubmit((v) => open.mutate(v))}>
        {err && (
          <Alert>
            {err.errors.length ? "The YAML has problems:" : err.message}
            {err.errors.length > 0 && (
              <ul className="mt-1 list-disc pl-5" data-testid="yaml-errors">
                {err.errors.map((e, i) => <li key={i}><code>{e.path}</code>: {e.message}</li>)}
              </ul>
            )}
          </Alert>
        )}
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          Cluster
          <select className={selectClass} value={cluster} onChange={(e) => setCluster(e.target.value)}>
            {clusters.map((c) => <option key={c.id} value={c.name}>{c.displayName}</option>)}
          </select>
        </label>
        <Field label="Title" error={form.formState.errors.title?.message} {...form.register("title")} />
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          Resources (YAML)
          <textarea
            aria-label="Resources (YAML)"
            rows={12}
            spellCheck={false}
            className="rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs"
            placeholder={"apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\n..."}
            {...form.register("yaml")}
          />
          {form.formState.errors.yaml && <span role="alert" className="text-xs font-medium text-red-600">{form.formState.errors.yaml.message}</span>}
        </label>
        <div className="mt-2 flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" disabled={open.isPending}>{open.isPending ? "Creating…" : "Create draft"}</Button>
        </div>
      </form>
    </Dialog>
  );
}

function RevisionHistory({ clusters, canAuthor }: { clusters: ClusterRow[]; canAuthor: boolean }) {
  const router = useRouter();
  const [cluster, setCluster] = useState(clusters[0]!.name);
  const [page, setPage] = useState(1);
  const revs = useQuery({
    queryKey: revisionKeys.list(cluster, page),
    queryFn: () => api<Page<RevisionSummary> & { current: number | null }>(`/api/v1/clusters/${encodeURIComponent(cluster)}/revisions${qs({ page, pageSize: 10 })}`),
    placeholderData: keepPreviousData,
  });
  const rollback = useMutation({
    mutationFn: (n: number) => api<ChangeSummary>(`/api/v1/clusters/${encodeURIComponent(cluster)}/revisions/${n}/rollback`, { method: "POST", body: {} }),
    onSuccess: (cr) => router.push(`/changes/${cr.id}`),
  });
  const pages = revs.data ? Math.max(1, Math.ceil(revs.data.total / 10)) : 1;
  return (
    <Card
      className="mt-8"
      title="Revision history"
      actions={
        <select aria-label="Revision history cluster" className={selectClass} value={cluster} onChange={(e) => { setCluster(e.target.value); setPage(1); }}>
          {clusters.map((c) => <option key={c.id} value={c.name}>{c.displayName}</option>)}
        </select>
      }
    >
      {rollback.error && <Alert className="mb-3">{rollback.error.message}</Alert>}
      {revs.data && revs.data.items.length === 0 && <EmptyState title="Nothing published to this cluster yet" />}
      {revs.data && revs.data.items.length > 0 && (
        <table className="w-full text-left text-sm" aria-label="Revisions">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th scope="col" className="py-2">Revision</th>
              <th scope="col">Title</th>
              <th scope="col">Published by</th>
              <th scope="col">When</th>
              <th scope="col">Changes</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {revs.data.items.map((r) => (
              <tr key={r.number} data-testid={`revision-row-${r.number}`}>
                <td className="py-2">
                  <Link className="font-medium text-brand-700 hover:underline" href={`/changes/revisions/${encodeURIComponent(cluster)}/${r.number}`}>
                    r{r.number}
                  </Link>
                  {r.number === revs.data.current && <span className="ml-2"><Badge tone="green">current</Badge></span>}
                </td>
                <td>
                  {r.title}
                  {r.changeRequestId && <Link className="ml-2 text-xs text-slate-500 hover:underline" href={`/changes/${r.changeRequestId}`}>#{r.changeRequestNumber}</Link>}
                </td>
                <td>{r.publishedBy}</td>
                <td>{new Date(r.publishedAt).toLocaleString()}</td>
                <td className="tabular-nums">{r.changeCount}</td>
                <td className="text-right">
                  {canAuthor && r.number !== revs.data.current && (
                    <Button size="sm" variant="secondary" disabled={rollback.isPending} onClick={() => rollback.mutate(r.number)} aria-label={`Propose rollback to revision ${r.number}`}>
                      Propose rollback
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revs.data && pages > 1 && (
        <div className="mt-2 flex justify-end gap-2">
          <Button size="sm" variant="secondary" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>Newer</Button>
          <Button size="sm" variant="secondary" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>Older</Button>
        </div>
      )}
    </Card>
  );
}
