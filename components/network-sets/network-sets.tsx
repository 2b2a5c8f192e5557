"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useDeferredValue, useEffect, useMemo, useState } from "react";
import { aggregateCidrs, parseCidr, parseCidrList } from "@/server/policy/cidr";
import { api, ApiError, qs } from "../api";
import { draftKeys, editableResource, saveToDraft, useMyDraft } from "../changes/my-draft";
import { ClusterSelect, useClusterPicker } from "../clusters/cluster-picker";
import { DraftBanner } from "../draft/draft";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, PageHeader } from "../ui/card";
import { Dialog } from "../ui/dialog";
import { EmptyState, Loading } from "../ui/empty";
import { Field } from "../ui/field";

interface SetRow {
  kind: "NetworkSet" | "GlobalNetworkSet";
  namespace: string | null;
  name: string;
  labels: Record<string, string>;
  nets: number;
  netsPreview: string[];
  domains: string[];
  referencedBy: string[];
  revision: number | null;
  version: number | null;
}
interface SetList {
  items: SetRow[];
  total: number;
  totalSets: number;
  page: number;
  pageSize: number;
}
type Sort = "name" | "cidrs";
interface ListParams {
  q: string;
  kind: "" | "global" | "namespaced";
  label: string;
  sort: Sort;
  dir: "asc" | "desc";
  page: number;
}

export const networkSetKeys = {
  all: (cluster: string) => ["network-sets", cluster] as const,
  list: (cluster: string, p: ListParams) => ["network-sets", cluster, p] as const,
};

const PAGE_SIZE = 50;
const LABEL_FILTER = /^\s*[A-Za-z0-9_./-]+(\s*=\s*[A-Za-z0-9_.-]*)?\s*$/;
const selectClass = "rounded-md border border-slate-300 bg-white px-2 py-2 text-sm";

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function NetworkSets({ canAuthor }: { canAuthor: boolean }) {
  const { clusters, cluster, setCluster } = useClusterPicker();
  const [dialog, setDialog] = useState<{ mode: "create" } | { mode: "edit"; row: SetRow } | null>(null);
  const [text, setText] = useState("");
  const [labelText, setLabelText] = useState("");
  const q = useDebounced(text.trim(), 250);
  const label = useDebounced(labelText.trim(), 250);
  const [kind, setKind] = useState<ListParams["kind"]>("");
  const [sort, setSort] = useState<Sort>("name");
  const [dir, setDir] = useState<"asc" | "desc">("asc");
  const [page, setPage] = useState(1);
  const filterKey = `${cluster}|${q}|${label}|${kind}|${sort}|${dir}`;
  const [lastFilterKey, setLastFilterKey] = useState(filterKey);
  if (filterKey !== lastFilterKey) {
    setLastFilterKey(filterKey);
    setPage(1);
  }
  const labels = label.split(",").map((l) => l.trim()).filter(Boolean);
  const labelError = labels.find((l) => !LABEL_FILTER.test(l));
  const params: ListParams = { q, kind, label: labels.join(","), sort, dir, page };
  const list = useQuery({
    queryKey: networkSetKeys.list(cluster, params),
    queryFn: () =>
      api<SetList>(`/api/v1/clusters/${encodeURIComponent(cluster)}/network-sets${qs({ q, kind, label: params.label, sort, dir, page, pageSize: PAGE_SIZE })}`),
    enabled: cluster !== "" && !labelError,
    placeholderData: keepPreviousData,
  });
  const draft = useMyDraft(cluster, canAuthor).data ?? null;
  const d = list.data;
  const pages = d ? Math.max(1, Math.ceil(d.total / d.pageSize)) : 1;
  const filtered = q !== "" || kind !== "" || labels.length > 0;
  return (
    <>
      <PageHeader
        title="Network sets"
        description="Named, labelled lists of CIDRs and domains that policy rules select by label: allow lists of partners and SaaS ranges, deny lists of threat addresses."
        actions={canAuthor ? <Button onClick={() => setDialog({ mode: "create" })}>New network set</Button> : undefined}
      />
      <ClusterSelect options={clusters.data?.items} value={cluster} onChange={setCluster} />
      {draft && draft.items.length > 0 && (
        <DraftBanner draftId={draft.id} changes={draft.items.length} />
      )}
      {cluster && (
        <div className="mb-4 flex flex-wrap items-end gap-3" role="search" aria-label="Filter network sets">
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
            Search
            <input type="search" className="w-56 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm" placeholder="name, namespace or domain" value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
            Kind
            <select className={selectClass} value={kind} onChange={(e) => setKind(e.target.value as ListParams["kind"])}>
              <option value="">Global and namespaced</option>
              <option value="global">Global</option>
              <option value="namespaced">Namespaced</option>
            </select>
          </label>
          <Field label="Label" placeholder="feed=threats, team" value={labelText} onChange={(e) => setLabelText(e.target.value)} error={labelError ? `"${labelError}" is not key or key=value` : undefined} className="w-56" />
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
            Sort by
            <select className={selectClass} value={sort} onChange={(e) => { const s = e.target.value as Sort; setSort(s); setDir(s === "cidrs" ? "desc" : "asc"); }}>
              <option value="name">Name</option>
              <option value="cidrs">CIDR count</option>
            </select>
          </label>
          <Button variant="secondary" onClick={() => setDir(dir === "asc" ? "desc" : "asc")} aria-label={`Sort direction: ${dir === "asc" ? "ascending" : "descending"}`}>
            {dir === "asc" ? "↑ Ascending" : "↓ Descending"}
          </Button>
        </div>
      )}
      {(clusters.isPending || (list.isPending && !labelError)) && <Loading />}
      {list.isError && <Alert>Could not load network sets: {list.error.message}</Alert>}
      {d && d.totalSets === 0 && <EmptyState title="No network sets are published for this cluster" />}
      {d && d.totalSets > 0 && d.total === 0 && <EmptyState title="No network set matches these filters" />}
      {d && d.total > 0 && (
        <>
          <p className="mb-2 text-sm text-slate-600" data-testid="netset-summary">
            {filtered ? `${d.total.toLocaleString()} of ${d.totalSets.toLocaleString()}` : d.totalSets.toLocaleString()} network set{d.totalSets === 1 ? "" : "s"}
            {pages > 1 && ` · page ${d.page} of ${pages}`}
          </p>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm" aria-busy={list.isFetching}>
            <table className="w-full text-left text-sm" aria-label="Network sets">
              <thead className="bg-slate-50 text-xs uppercase text-slate-500">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">Set</th>
                  <th scope="col" className="px-3 py-2 font-medium">Labels</th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">CIDRs</th>
                  <th scope="col" className="px-3 py-2 font-medium">Domains</th>
                  <th scope="col" className="px-3 py-2 font-medium">Selected by</th>
                  {canAuthor && <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {d.items.map((s) => (
                  <tr key={`${s.kind}/${s.namespace}/${s.name}`} data-testid={`netset-row-${s.name}`}>
                    <td className="px-3 py-2">
                      <span className="font-mono">{s.namespace ? `${s.namespace}/` : ""}{s.name}</span> <Badge tone={s.kind === "GlobalNetworkSet" ? "blue" : "slate"}>{s.kind === "GlobalNetworkSet" ? "global" : "namespaced"}</Badge>
                      {s.revision !== null && <span className="block text-xs text-slate-500">changed in revision {s.revision}</span>}
                    </td>
                    <td className="px-3 py-2">
                      <span className="flex flex-wrap gap-1">{Object.entries(s.labels).map(([k, v]) => <Badge key={k}>{k}={v}</Badge>)}</span>
                    </td>
                    <td className="px-3 py-2 text-right tabular-nums">
                      {s.nets.toLocaleString()}
                      {s.netsPreview.length > 0 && <span className="block font-mono text-xs text-slate-500">{s.netsPreview.slice(0, 2).join(", ")}{s.nets > 2 ? ", …" : ""}</span>}
                    </td>
                    <td className="px-3 py-2 font-mono text-xs">{s.domains.join(", ") || <span className="font-sans text-slate-400">none</span>}</td>
                    <td className="px-3 py-2 text-xs">{s.referencedBy.join(", ") || <span className="text-slate-400">no policy rule selects it</span>}</td>
                    {canAuthor && (
                      <td className="px-3 py-2 text-right">
                        <Button size="sm" variant="secondary" onClick={() => setDialog({ mode: "edit", row: s })} aria-label={`Edit ${s.namespace ? `${s.namespace}/` : ""}${s.name}`}>Edit</Button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {pages > 1 && (
            <nav className="mt-3 flex items-center justify-between text-sm" aria-label="Pages">
              <Button variant="secondary" disabled={d.page <= 1} onClick={() => setPage(d.page - 1)}>Previous</Button>
              <span className="text-slate-600">Page {d.page} of {pages}</span>
              <Button variant="secondary" disabled={d.page >= pages} onClick={() => setPage(d.page + 1)}>Next</Button>
            </nav>
          )}
        </>
      )}
      {dialog && cluster && <SetDialog key={dialog.mode === "edit" ? `${dialog.row.kind}/${dialog.row.namespace}/${dialog.row.name}` : "new"} cluster={cluster} editing={dialog.mode === "edit" ? dialog.row : null} onClose={() => setDialog(null)} />}
    </>
  );
}

function parseLabels(text: string): { labels: Record<string, string>; error?: string } {
  const labels: Record<string, string> = {};
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) return { labels, error: `"${part}" is not key=value` };
    labels[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return { labels };
}

interface Loaded {
  op: "create" | "update";
  baseVersion: number;
  document: Record<string, unknown>;
  fromDraft: boolean;
}

interface SetSpec {
  nets?: string[];
  allowedEgressDomains?: string[];
}

/** The form's fields for a stored set. */
function formOf(doc: Record<string, unknown>) {
  const meta = (doc.metadata ?? {}) as { labels?: Record<string, string> };
  const spec = (doc.spec ?? {}) as SetSpec;
  return {
    labelText: Object.entries(meta.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(" "),
    list: (spec.nets ?? []).join("\n"),
    domains: (spec.allowedEgressDomains ?? []).join(" "),
  };
}

function SetDialog({ cluster, editing, onClose }: { cluster: string; editing: SetRow | null; onClose: () => void }) {
  const router = useRouter();
  const qc = useQueryClient();
  const draftQ = useMyDraft(cluster);
  const [scope, setScope] = useState<"global" | "namespaced">(editing?.kind === "NetworkSet" ? "namespaced" : "global");
  const [namespace, setNamespace] = useState(editing?.namespace ?? "");
  const [name, setName] = useState(editing?.name ?? "");
  const [labelText, setLabelText] = useState("");
  const [list, setList] = useState("");
  const [domains, setDomains] = useState("");
  // A new list is stored aggregated by default; an edited one keeps its entries unless asked.
  const [aggregate, setAggregate] = useState(editing === null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  // After a conflict, reload from the published set (the drafted one rests on the old version).
  const [reloads, setReloads] = useState(0);

  // Edit: start from the drafted document when the draft already changes this set, else the published one.
  const draftReady = !draftQ.isPending;
  useEffect(() => {
    if (!editing || !draftReady) return;
    let live = true;
    editableResource(cluster, draftQ.data, editing, { published: reloads > 0 })
      .then((r) => {
        if (!live) return;
        const f = formOf(r.document);
        setLoaded(r);
        setLabelText(f.labelText);
        setList(f.list);
        setDomains(f.domains);
        setLoadError(null);
      })
      .catch((err: unknown) => live && setLoadError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- load once per open / explicit reload, not on every draft refetch
  }, [editing, cluster, draftReady, reloads]);

  const deferred = useDeferredValue(list);
  // The policy engine's own parser and aggregation, in the browser: large lists stay responsive.
  const analysis = useMemo(() => {
    const parsed = parseCidrList(deferred);
    const agg = aggregateCidrs(parsed.entries.map((e) => e.cidr.text));
    return { parsed, agg };
  }, [deferred]);
  // Entries kept from the stored set keep the form they were written in (no spurious diff).
  const written = useMemo(() => {
    const m = new Map<string, string>();
    for (const n of ((loaded?.document.spec ?? {}) as SetSpec).nets ?? []) {
      try {
        const text = parseCidr(n, { strict: false }).text;
        if (!m.has(text)) m.set(text, n);
      } catch {
        // stored sets were validated; nothing to map
      }
    }
    return m;
  }, [loaded]);
  const labels = parseLabels(labelText);
  const kind = scope === "global" ? "GlobalNetworkSet" : "NetworkSet";

  const propose = useMutation({
    mutationFn: async () => {
      const nets = aggregate ? analysis.agg.cidrs.map((c) => c.text) : [...new Set(analysis.parsed.entries.map((e) => e.cidr.text))].map((t) => written.get(t) ?? t);
      const base = loaded?.document ?? {};
      const baseMeta = (base.metadata ?? {}) as Record<string, unknown>;
      const baseSpec = (base.spec ?? {}) as Record<string, unknown>;
      const { labels: _l, ...restMeta } = baseMeta;
      const { nets: _n, allowedEgressDomains: _d, ...restSpec } = baseSpec;
      const domainList = domains.split(/[\s,]+/).filter(Boolean);
      const document = {
        apiVersion: "projectcalico.org/v3",
        kind,
        metadata: {
          ...restMeta,
          name,
          ...(scope === "namespaced" ? { namespace } : {}),
          ...(Object.keys(labels.labels).length ? { labels: labels.labels } : {}),
        },
        spec: { ...restSpec, ...(nets.length ? { nets } : {}), ...(domainList.length ? { allowedEgressDomains: domainList } : {}) },
      };
      const change = editing && loaded ? { op: loaded.op, document, baseVersion: loaded.baseVersion } : { op: "create" as const, document };
      const title = editing ? `Update ${kind} ${name}` : `Create ${kind} ${name}`;
      const saved = await saveToDraft(cluster, { ...(draftQ.data ? {} : { title }), changes: [change] });
      return saved.id;
    },
    onSuccess: async (id) => {
      await Promise.all([qc.invalidateQueries({ queryKey: draftKeys.mine(cluster) }), qc.invalidateQueries({ queryKey: networkSetKeys.all(cluster) })]);
      router.push(`/changes/${id}`);
    },
  });
  const err = propose.error instanceof ApiError ? propose.error : null;
  const conflict = err?.status === 409;
  const nameError = err?.fieldMessage("changes[0].document.metadata.name");
  const reload = () => {
    propose.reset();
    setLoaded(null);
    void qc.invalidateQueries({ queryKey: draftKeys.mine(cluster) }).then(() => setReloads((n) => n + 1));
  };
  const { parsed, agg } = analysis;
  const title = editing ? "Edit network set" : "New network set";
  const waiting = editing !== null && loaded === null;
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={title}
      description={
        editing
          ? `${editing.kind === "GlobalNetworkSet" ? "Global" : `Namespace ${editing.namespace}`} · the change goes into your draft change request${loaded?.fromDraft ? " (starting from your drafted version)" : ""}.`
          : "Paste or upload a list: one CIDR or address per line, # comments, or CSV (the first cell that parses). It is checked here and saved to your draft change request."
      }
    >
      {waiting ? (
        loadError ? <Alert>Could not load the set: {loadError}</Alert> : <Loading label="Loading the set…" />
      ) : (
        <form noValidate className="flex max-h-[70vh] flex-col gap-3 overflow-y-auto pr-1" onSubmit={(e) => { e.preventDefault(); propose.mutate(); }}>
          {conflict && (
            <Alert>
              {err.message.includes("Reload") ? err.message : `${err.message} Reload it and make your edit again.`}{" "}
              {editing && <Button size="sm" variant="secondary" onClick={reload}>Reload the latest version</Button>}
            </Alert>
          )}
          {err && !conflict && (
            <Alert>
              {err.message}
              {err.errors.length > 0 && <ul className="mt-1 list-disc pl-5">{err.errors.slice(0, 10).map((x, i) => <li key={i}><code>{x.path}</code>: {x.message}</li>)}</ul>}
            </Alert>
          )}
          {propose.error && !err && <Alert>{propose.error.message}</Alert>}
          <div className="flex gap-3">
            <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
              Scope
              <select className="rounded-md border border-slate-300 bg-white px-2 py-2 text-sm disabled:bg-slate-100" value={scope} disabled={editing !== null} onChange={(e) => setScope(e.target.value as "global" | "namespaced")}>
                <option value="global">Global</option>
                <option value="namespaced">Namespaced</option>
              </select>
            </label>
            {scope === "namespaced" && <Field label="Namespace" value={namespace} readOnly={editing !== null} onChange={(e) => setNamespace(e.target.value)} className="flex-1" />}
          </div>
          <Field label="Name" value={name} readOnly={editing !== null} onChange={(e) => setName(e.target.value)} error={nameError} hint={editing ? "The name and scope of an existing set are fixed." : undefined} />
          <Field label="Labels" placeholder="feed=threats severity=high" value={labelText} onChange={(e) => setLabelText(e.target.value)} error={labels.error} hint="key=value pairs; policies select the set by these" />
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
            CIDRs
            <textarea aria-label="CIDR list" rows={8} spellCheck={false} value={list} onChange={(e) => setList(e.target.value)} className="rounded-md border border-slate-300 px-3 py-2 font-mono text-xs" placeholder={"# one per line\n198.51.100.0/24\n203.0.113.7"} />
          </label>
          <label className="text-sm">
            <span className="font-medium text-slate-700">or upload a file </span>
            <input type="file" accept=".txt,.csv,text/plain,text/csv" aria-label="Upload CIDR list" onChange={(e) => { const f = e.target.files?.[0]; if (f) void f.text().then(setList); }} />
          </label>
          <div data-testid="cidr-analysis" className="rounded-md bg-slate-50 p-3 text-sm" aria-live="polite">
            <p>
              <strong>{parsed.entries.length.toLocaleString()}</strong> entries · {agg.duplicates.length.toLocaleString()} duplicates · {agg.covered.length.toLocaleString()} covered by larger ranges · {agg.merged.length.toLocaleString()} merges →{" "}
              <strong>{agg.cidrs.length.toLocaleString()}</strong> aggregated CIDRs{parsed.header ? ` · header line ${parsed.header.line} skipped` : ""}
            </p>
            {parsed.errors.length > 0 && (
              <div className="mt-2 text-red-700" role="alert">
                {parsed.errors.length.toLocaleString()} line{parsed.errors.length === 1 ? "" : "s"} could not be read:
                <ul className="mt-1 list-disc pl-5 font-mono text-xs">
                  {parsed.errors.slice(0, 20).map((e) => <li key={e.line}>line {e.line}: {e.message}</li>)}
                  {parsed.errors.length > 20 && <li>… and {parsed.errors.length - 20} more</li>}
                </ul>
              </div>
            )}
            <label className="mt-2 flex items-center gap-2">
              <input type="checkbox" checked={aggregate} onChange={(e) => setAggregate(e.target.checked)} />
              Store the aggregated list ({agg.cidrs.length.toLocaleString()} CIDRs) instead of every entry ({new Set(parsed.entries.map((e) => e.cidr.text)).size.toLocaleString()} unique)
            </label>
          </div>
          <Field label="Allowed egress domains" placeholder="*.s3.amazonaws.com api.partner.example" value={domains} onChange={(e) => setDomains(e.target.value)} />
          <div className="mt-2 flex justify-end gap-2">
            <Button variant="secondary" onClick={onClose}>Cancel</Button>
            <Button type="submit" disabled={propose.isPending || parsed.errors.length > 0 || !name || Boolean(labels.error) || (scope === "namespaced" && !namespace)}>
              {propose.isPending ? "Saving…" : editing ? "Save to draft" : "Propose in a change request"}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
