"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { api, ApiError } from "../api";
import { DiffView } from "../changes/diff-view";
import { InYourDraft, useSaveToDraft, type SavedToDraft } from "../draft/draft";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, Card } from "../ui/card";
import { EmptyState, Loading } from "../ui/empty";
import { Field } from "../ui/field";
import { SelectField, TextareaField } from "../ui/select-field";
import { importKeys, type ImportAction, type ImportPreview } from "./keys";

const PAGE_SIZE = 25;
const ACTION_TONE: Record<ImportAction, "green" | "amber" | "slate" | "red"> = { create: "green", update: "amber", unchanged: "slate", error: "red" };
const ACTION_LABEL: Record<ImportAction, string> = { create: "create", update: "update", unchanged: "unchanged", error: "error" };

type Row = ImportPreview["documents"][number];
const rowKey = (r: Row) => `${r.document}:${r.item ?? ""}`;

/**
 * Paste or upload multi-document Calico YAML (Kubernetes NetworkPolicy is converted), preview
 * what each document would do against the published state plus your draft, and import the valid
 * ones into your draft change request.
 */
export function ImportYaml({ cluster, canAuthor }: { cluster: string; canAuthor: boolean }) {
  const qc = useQueryClient();
  const [text, setText] = useState("");
  const [fileName, setFileName] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState<{ yaml: string; version: number } | null>(null);
  const [action, setAction] = useState<ImportAction | "">("");
  const [q, setQ] = useState("");
  const [sort, setSort] = useState<"document" | "kind" | "name" | "action">("document");
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [skipErrors, setSkipErrors] = useState(false);
  const [saved, setSaved] = useState<SavedToDraft | null>(null);
  const save = useSaveToDraft(cluster);

  const params = { action: action || undefined, q: q.trim() || undefined, sort, page, pageSize: PAGE_SIZE };
  const preview = useQuery({
    queryKey: importKeys.preview(cluster, submitted?.version ?? 0, params),
    queryFn: () => api<ImportPreview>(`/api/v1/clusters/${encodeURIComponent(cluster)}/import/preview`, { body: { yaml: submitted!.yaml, ...params } }),
    enabled: submitted !== null && cluster !== "",
    placeholderData: keepPreviousData,
  });
  const p = preview.data;
  const stale = submitted !== null && submitted.yaml !== text;
  const pages = p ? Math.max(1, Math.ceil(p.total / p.pageSize)) : 1;
  const importable = p?.changes.length ?? 0;
  const blocked = !p || importable === 0 || stale || (p.summary.errors > 0 && !skipErrors);

  const runPreview = () => {
    setSaved(null);
    setSkipErrors(false);
    setPage(1);
    setOpen(new Set());
    setSubmitted({ yaml: text, version: (submitted?.version ?? 0) + 1 });
  };
  const doImport = async () => {
    if (!p) return;
    try {
      const s = await save.mutateAsync({ title: `Import ${fileName ?? "of pasted YAML"}`, changes: p.changes });
      setSaved(s);
      await qc.invalidateQueries({ queryKey: importKeys.preview(cluster, submitted!.version, params), exact: true });
    } catch {
      // Shown from save.error below.
    }
  };
  const toggle = (k: string) => setOpen((o) => {
    const n = new Set(o);
    if (n.has(k)) n.delete(k);
    else n.add(k);
    return n;
  });
  const err = save.error instanceof ApiError ? save.error : null;

  return (
    <Card title="Import YAML">
      <div className="flex flex-col gap-3">
        <TextareaField
          label="Resources (multi-document YAML)"
          rows={10}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={"apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: block-threats\nspec:\n  …\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n…"}
        />
        <div className="flex flex-wrap items-center justify-between gap-3">
          <label className="text-sm">
            <span className="font-medium text-slate-700">or upload a file </span>
            <input
              type="file"
              accept=".yaml,.yml,.json,application/yaml,text/yaml"
              aria-label="Upload YAML file"
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) void f.text().then((t) => { setText(t); setFileName(f.name); });
              }}
            />
          </label>
          <Button onClick={runPreview} disabled={text.trim() === "" || cluster === ""}>
            {submitted && !stale ? "Preview again" : "Preview"}
          </Button>
        </div>
        <p className="text-xs text-slate-500">
          Calico resources (projectcalico.org/v3), Portcullis egress resources and Kubernetes NetworkPolicy (converted to Calico). Compared with the published state plus your draft; nothing is written until you import.
        </p>

        {preview.isError && <Alert>Could not preview: {preview.error.message}</Alert>}
        {submitted && preview.isPending && <Loading label="Checking every document…" />}
        {p && (
          <div className="flex flex-col gap-3" data-testid="import-preview">
            {stale && <Alert tone="warning">The YAML changed since this preview: preview again before importing.</Alert>}
            <p className="text-sm" data-testid="import-summary">
              <strong>{p.summary.documents}</strong> document{p.summary.documents === 1 ? "" : "s"}: <Badge tone="green">{p.summary.create} to create</Badge> <Badge tone="amber">{p.summary.update} to update</Badge>{" "}
              <Badge>{p.summary.unchanged} unchanged</Badge> <Badge tone={p.summary.errors ? "red" : "slate"}>{p.summary.errors} with errors</Badge>
              <span className="ml-2 text-xs text-slate-500">against revision {p.revision}{p.draft ? ` plus your draft #${p.draft.number}` : ""}</span>
            </p>
            <div className="flex flex-wrap items-end gap-3">
              <SelectField label="Show" value={action} onChange={(e) => { setAction(e.target.value as ImportAction | ""); setPage(1); }}>
                <option value="">All documents</option>
                <option value="error">With errors</option>
                <option value="create">To create</option>
                <option value="update">To update</option>
                <option value="unchanged">Unchanged</option>
              </SelectField>
              <Field label="Find" className="w-56" value={q} placeholder="kind, namespace or name" onChange={(e) => { setQ(e.target.value); setPage(1); }} />
              <SelectField label="Sort by" value={sort} onChange={(e) => { setSort(e.target.value as typeof sort); setPage(1); }}>
                <option value="document">Position in the file</option>
                <option value="action">Action (errors first)</option>
                <option value="kind">Kind</option>
                <option value="name">Namespace and name</option>
              </SelectField>
            </div>
            {p.documents.length === 0 ? (
              <EmptyState title={p.summary.documents === 0 ? "The file has no resources" : "No document matches these filters"} />
            ) : (
              <div className="overflow-x-auto rounded-lg border border-slate-200">
                <table className="w-full text-left text-sm" aria-label="Import preview">
                  <thead className="bg-slate-50 text-xs uppercase text-slate-500">
                    <tr>
                      <th scope="col" className="px-3 py-2 font-medium">Doc</th>
                      <th scope="col" className="px-3 py-2 font-medium">Line</th>
                      <th scope="col" className="px-3 py-2 font-medium">Kind</th>
                      <th scope="col" className="px-3 py-2 font-medium">Namespace / name</th>
                      <th scope="col" className="px-3 py-2 font-medium">Action</th>
                      <th scope="col" className="px-3 py-2 font-medium">Details</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {p.documents.map((r) => {
                      const k = rowKey(r);
                      const expanded = open.has(k);
                      return (
                        <Fragment key={k}>
                          <tr data-testid={`import-doc-${r.document}${r.item !== null ? `-${r.item}` : ""}`} className="align-top">
                            <td className="px-3 py-2 tabular-nums">{r.document}{r.item !== null && <span className="text-xs text-slate-500"> item {r.item + 1}</span>}</td>
                            <td className="px-3 py-2 tabular-nums">{r.line}</td>
                            <td className="px-3 py-2">
                              {r.kind ?? <span className="text-slate-400">unknown</span>}
                              {r.convertedFrom && <span className="block text-xs text-slate-500">from {r.convertedFrom}</span>}
                            </td>
                            <td className="px-3 py-2 font-mono text-xs">{r.name ? `${r.namespace ? `${r.namespace}/` : ""}${r.name}` : <span className="font-sans text-slate-400">unreadable</span>}</td>
                            <td className="px-3 py-2"><Badge tone={ACTION_TONE[r.action]}>{ACTION_LABEL[r.action]}</Badge></td>
                            <td className="px-3 py-2 text-xs">
                              {r.errors.length > 0 && (
                                <ul className="flex flex-col gap-0.5 text-red-800">
                                  {r.errors.map((e, i) => (
                                    <li key={i}>line {e.line}: {e.path === "(yaml)" || e.path === "(document)" ? "" : <code>{e.path}</code>}{e.path === "(yaml)" || e.path === "(document)" ? "" : ": "}{e.message}</li>
                                  ))}
                                </ul>
                              )}
                              {r.action === "unchanged" && <span className="text-slate-600">Same as {r.against === "draft" ? "your draft" : "the published version"}: not imported</span>}
                              {(r.action === "update" || r.action === "create") && (
                                <span className="flex flex-wrap items-center gap-2">
                                  {r.diff ? (
                                    <span className="text-slate-600">
                                      <span className="text-emerald-700">+{r.diff.added}</span> <span className="text-red-700">−{r.diff.removed}</span> lines against {r.against === "draft" ? "your draft" : "the published version"}
                                    </span>
                                  ) : (
                                    <span className="text-slate-600">new resource</span>
                                  )}
                                  <Button size="sm" variant="ghost" aria-expanded={expanded} onClick={() => toggle(k)}>
                                    {expanded ? "Hide" : r.diff ? "Show diff" : "Show YAML"}
                                  </Button>
                                </span>
                              )}
                            </td>
                          </tr>
                          {expanded && (r.diff || r.yaml) && (
                            <tr>
                              <td colSpan={6} className="bg-slate-50 px-3 py-2">
                                {r.diff ? (
                                  <DiffView lines={r.diff.lines} label={`Diff of ${r.kind} ${r.name}`} />
                                ) : (
                                  <pre className="max-h-80 overflow-auto rounded-md border border-slate-200 bg-white p-2 text-xs">{r.yaml}</pre>
                                )}
                              </td>
                            </tr>
                          )}
                        </Fragment>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
            {p.total > p.pageSize && (
              <div className="flex items-center justify-between text-sm text-slate-600">
                <span>
                  {p.total} matching · page {p.page} of {pages}
                </span>
                <span className="flex gap-2">
                  <Button size="sm" variant="secondary" disabled={page <= 1} onClick={() => setPage((x) => x - 1)}>Previous</Button>
                  <Button size="sm" variant="secondary" disabled={page >= pages} onClick={() => setPage((x) => x + 1)}>Next</Button>
                </span>
              </div>
            )}

            <div className="flex flex-col gap-2 rounded-md border border-slate-200 bg-slate-50 p-3">
              {saved && <InYourDraft saved={saved} what={`${saved.added.length} imported resource${saved.added.length === 1 ? "" : "s"}`} />}
              {err && (
                <Alert>
                  {err.message}
                  {err.errors.length > 0 && <ul className="mt-1 list-disc pl-5">{err.errors.slice(0, 10).map((x, i) => <li key={i}><code>{x.path}</code>: {x.message}</li>)}</ul>}
                </Alert>
              )}
              {p.summary.errors > 0 && (
                <label className="flex items-center gap-2 text-sm">
                  <input type="checkbox" checked={skipErrors} onChange={(e) => setSkipErrors(e.target.checked)} />
                  Skip the {p.summary.errors} document{p.summary.errors === 1 ? "" : "s"} with errors and import only the valid ones
                </label>
              )}
              <div className="flex flex-wrap items-center justify-between gap-3">
                <p className="text-xs text-slate-600">
                  {p.summary.errors > 0 && !skipErrors
                    ? "Fix the documents with errors and preview again, or tick the box to leave them out."
                    : p.summary.unchanged > 0
                      ? `${p.summary.unchanged} unchanged document${p.summary.unchanged === 1 ? " is" : "s are"} left out.`
                      : "Each resource becomes a create or an update in your draft change request."}
                </p>
                {canAuthor ? (
                  <Button onClick={() => void doImport()} disabled={blocked || save.isPending}>
                    {save.isPending ? "Importing…" : importable === 0 ? "Nothing to import" : `Import ${importable} resource${importable === 1 ? "" : "s"} into my draft`}
                  </Button>
                ) : (
                  <span className="text-sm text-slate-600">Importing needs the author role.</span>
                )}
              </div>
            </div>
          </div>
        )}
      </div>
    </Card>
  );
}
