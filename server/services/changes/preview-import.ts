import { LineCounter, parseAllDocuments } from "yaml";
import type { RequestContext } from "../../auth/actor";
import { parseResourcesYaml, RESOURCE_KINDS, resourceToPlain, type TResource } from "../../policy/index";
import { authorise } from "../authorise";
import { loadStateWithDraft } from "./draft-state";
import { resourceDiff, yamlOf } from "./present-diff";
import { clusterByName, currentRevisionNumber, describeKey, keyOf, keyString, validateSaved, type PlannedChange } from "./store";

export const IMPORT_ACTIONS = ["create", "update", "unchanged", "error"] as const;
export type ImportAction = (typeof IMPORT_ACTIONS)[number];

export interface PreviewImportInput {
  yaml: string;
  page?: number;
  pageSize?: number;
  /** Only rows with this action (all when absent). */
  action?: ImportAction;
  /** Text in kind, namespace or name. */
  q?: string;
  sort?: "document" | "kind" | "name" | "action";
}

interface Row {
  /** 1-based index of the YAML document; `item` is the index inside a List document's items. */
  document: number;
  item: number | null;
  /** First line of the document (or of the List item). */
  line: number;
  kind: string | null;
  namespace: string | null;
  name: string | null;
  /** "networking.k8s.io/v1 NetworkPolicy" when the engine converted a Kubernetes policy. */
  convertedFrom: string | null;
  action: ImportAction;
  /** What create/update/unchanged was decided against: your draft's version or the published one. */
  against: "draft" | "published" | null;
  errors: Array<{ line: number; path: string; message: string }>;
  resource: TResource | null;
  before: Record<string, unknown> | null;
  baseVersion: number;
}

const ACTION_RANK: Record<ImportAction, number> = { error: 0, create: 1, update: 2, unchanged: 3 };

/** Line (1-based) where each document's content starts, and each List item's, and the apiVersion each declares. */
function documentFacts(text: string) {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const out = new Map<number, { line: number; apiVersion: unknown; items: Map<number, { line: number; apiVersion: unknown }> }>();
  if (!Array.isArray(docs)) return out;
  docs.forEach((doc, i) => {
    const contents = doc.contents as { range?: [number, number, number] } | null;
    const start = contents?.range?.[0] ?? doc.range?.[0] ?? 0;
    const items = new Map<number, { line: number; apiVersion: unknown }>();
    let apiVersion: unknown = undefined;
    try {
      apiVersion = doc.get("apiVersion");
      const list = doc.get("items", true) as { items?: Array<{ range?: [number, number, number]; get?: (k: string) => unknown }> } | undefined;
      list?.items?.forEach((it, j) => items.set(j, { line: lc.linePos(it.range?.[0] ?? start).line, apiVersion: it.get?.("apiVersion") }));
    } catch {
      // Not a mapping: the parse issues say so.
    }
    out.set(i + 1, { line: lc.linePos(start).line, apiVersion, items });
  });
  return out;
}

/**
 * Preview of a YAML import (multi-document Calico YAML, Kubernetes NetworkPolicy converted by the
 * engine) against the published state plus the caller's draft: per document its index, first
 * line, kind, namespace/name and what importing it would do (create; update with a diff against
 * the current version; unchanged), or its errors with their lines. Every document is reported,
 * broken ones included. Resources that are valid alone but not together with the current state
 * (a missing tier or egress pool, an egress IP someone holds, the same resource twice) are errors
 * too. `changes` are the valid create/update changes, ready for the draft API. Writes nothing.
 */
export async function previewImport(ctx: RequestContext, clusterName: string, input: PreviewImportInput) {
  const actor = authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const [state, revision] = await Promise.all([loadStateWithDraft(cluster.id, actor), currentRevisionNumber(cluster.id)]);
  const parsed = parseResourcesYaml(input.yaml);
  const facts = documentFacts(input.yaml);

  const rows: Row[] = [];
  const rowOf = new Map<string, Row>();
  const key = (document: number, item: number | null) => `${document}:${item ?? ""}`;
  const blank = (document: number, item: number | null): Row => {
    const f = facts.get(document);
    const line = (item !== null ? f?.items.get(item)?.line : undefined) ?? f?.line ?? 1;
    return { document, item, line, kind: null, namespace: null, name: null, convertedFrom: null, action: "error", against: null, errors: [], resource: null, before: null, baseVersion: 0 };
  };
  for (const it of parsed.items) {
    const item = it.item ?? null;
    const row = blank(it.document, item);
    const k = keyOf(it.value);
    const f = facts.get(it.document);
    const declared = item !== null ? f?.items.get(item)?.apiVersion : f?.apiVersion;
    Object.assign(row, {
      kind: k.kind,
      namespace: k.namespace || null,
      name: k.name,
      resource: it.value,
      convertedFrom: declared !== undefined && declared !== it.value.apiVersion ? `${String(declared)} ${it.value.kind}` : null,
    });
    rows.push(row);
    rowOf.set(key(it.document, item), row);
  }
  for (const issue of parsed.issues) {
    const m = /^items\[(\d+)\]/.exec(issue.path);
    const item = m ? Number(m[1]) : null;
    let row = rowOf.get(key(issue.document, item));
    if (!row) {
      row = blank(issue.document, item);
      if (issue.kind) row.kind = issue.kind;
      if (issue.name) row.name = issue.name;
      rows.push(row);
      rowOf.set(key(issue.document, item), row);
    }
    row.errors.push({ line: issue.line, path: issue.path, message: issue.message });
  }
  rows.sort((a, b) => a.document - b.document || (a.item ?? -1) - (b.item ?? -1));

  // Action of each valid resource against the draft's version, else the published one.
  const firstSeen = new Map<string, Row>();
  for (const row of rows) {
    if (!row.resource) continue;
    const k = keyString(keyOf(row.resource));
    const earlier = firstSeen.get(k);
    if (earlier) {
      row.errors.push({ line: row.line, path: "metadata.name", message: `${describeKey(keyOf(row.resource))} is also defined in document ${earlier.document} (line ${earlier.line})` });
      row.resource = null;
      continue;
    }
    firstSeen.set(k, row);
    const live = state.store.get(k);
    const liveDoc = live && !live.deleted ? live.document : null;
    row.baseVersion = live && !live.deleted ? live.version : 0;
    const drafted = state.drafted.get(k);
    row.before = drafted ? drafted.document : liveDoc;
    row.against = drafted ? "draft" : liveDoc ? "published" : null;
    if (row.before && yamlOf(row.before) === yamlOf(resourceToPlain(row.resource))) row.action = "unchanged";
    else row.action = liveDoc ? "update" : "create";
  }

  // Valid alone, but together with the current state and the draft? (Tiers, pools, egress IPs.)
  // Dropping a broken resource can break others (a policy whose tier failed), so repeat.
  const draftPlanned = [...state.drafted.values()];
  const allKinds = new Set(RESOURCE_KINDS);
  for (let pass = 0; pass < 10; pass++) {
    const importing = rows.filter((r) => r.resource && r.errors.length === 0 && (r.action === "create" || r.action === "update"));
    const planned: PlannedChange[] = importing.map((r) => ({ op: r.action as "create" | "update", key: keyOf(r.resource!), baseVersion: r.baseVersion, document: resourceToPlain(r.resource!) }));
    const errors = validateSaved(state.store, draftPlanned, planned, allKinds);
    if (errors.length === 0) break;
    for (const e of errors) {
      const m = /^changes\[(\d+)\]\.?(.*)$/.exec(e.path)!;
      const row = importing[Number(m[1])]!;
      row.errors.push({ line: row.line, path: m[2]!.replace(/^document\./, "") || "(document)", message: e.message });
    }
  }
  for (const row of rows) if (row.errors.length) row.action = "error";

  const changes = rows
    .filter((r) => r.action === "create" || r.action === "update")
    .map((r) => ({ op: r.action as "create" | "update", document: resourceToPlain(r.resource!), baseVersion: r.baseVersion }));
  const count = (a: ImportAction) => rows.filter((r) => r.action === a).length;
  const summary = { documents: rows.length, create: count("create"), update: count("update"), unchanged: count("unchanged"), errors: count("error") };

  const q = input.q?.trim().toLowerCase();
  const shown = rows
    .filter((r) => !input.action || r.action === input.action)
    .filter((r) => !q || [r.kind, r.namespace, r.name].some((s) => s?.toLowerCase().includes(q)))
    .sort((a, b) => {
      const byDoc = a.document - b.document || (a.item ?? -1) - (b.item ?? -1);
      switch (input.sort ?? "document") {
        case "kind":
          return (a.kind ?? "").localeCompare(b.kind ?? "") || byDoc;
        case "name":
          return `${a.namespace ?? ""}/${a.name ?? ""}`.localeCompare(`${b.namespace ?? ""}/${b.name ?? ""}`) || byDoc;
        case "action":
          return ACTION_RANK[a.action] - ACTION_RANK[b.action] || byDoc;
        default:
          return byDoc;
      }
    });
  const page = input.page ?? 1;
  const pageSize = input.pageSize ?? 50;
  return {
    cluster: cluster.name,
    revision,
    draft: state.draft,
    summary,
    changes,
    documents: shown.slice((page - 1) * pageSize, page * pageSize).map((r) => {
      const after = r.resource ? resourceToPlain(r.resource) : null;
      const diff = r.action === "update" && r.before ? resourceDiff(r.before, after) : null;
      return {
        document: r.document,
        item: r.item,
        line: r.line,
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        convertedFrom: r.convertedFrom,
        action: r.action,
        against: r.against,
        errors: r.errors.sort((x, y) => x.line - y.line),
        yaml: r.action === "create" && after ? yamlOf(after) : null,
        diff: diff ? { lines: diff.diff, added: diff.added, removed: diff.removed } : null,
      };
    }),
    total: shown.length,
    page,
    pageSize,
  };
}
