/**
 * YAML in, YAML out.
 *
 * Parsing: multi-document YAML → resources, with every issue located by
 * document index (1-based), line, column and field path. `List` documents
 * (`kind: List` / `kind: NetworkPolicyList` … with `items`) are flattened.
 *
 * Serialising: multi-document YAML that `calicoctl apply -f` accepts: stable
 * key order (apiVersion, kind, metadata, spec, then Calico's field order), no
 * null/empty noise, selectors as plain one-line strings, and strings quoted
 * wherever YAML 1.1 (which Go's YAML decoder speaks) would read them as
 * something else.
 */
import { Document, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node as YamlNode } from "yaml";
import { compareBytes } from "./selector/index";
import { formatPath } from "./resources/common";
import { parseResource, type ParseResult, type TResource } from "./resources/index";

export interface YamlIssue {
  /** 1-based index of the YAML document in the stream. */
  document: number;
  /** 1-based line and column of the offending node (or its nearest existing ancestor). */
  line: number;
  column: number;
  /** Field path inside the resource, e.g. `spec.egress[0].destination.domains[1]`; `(yaml)` for syntax errors. */
  path: string;
  message: string;
  /** Kind and name of the resource, when known. */
  kind?: string;
  name?: string;
}

export interface Located<T> {
  value: T;
  document: number;
  line: number;
  /** Index inside a List document's `items`. */
  item?: number;
}

export interface YamlParseResult<T> {
  items: Located<T>[];
  issues: YamlIssue[];
}

type Segment = string | number;

interface Position {
  line: number;
  column: number;
}

function positionOf(lc: LineCounter, offset: number): Position {
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

/**
 * Finds the position of the node at `path` (or its deepest existing ancestor).
 * For a mapping entry the key's position is used, so a block value still
 * points at the line that names the field.
 */
function locate(root: unknown, path: readonly Segment[], lc: LineCounter, fallback: number): Position {
  let node: unknown = root;
  let offset = fallback;
  if (node && typeof node === "object" && "range" in node) {
    const r = (node as YamlNode).range;
    if (r) offset = r[0];
  }
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      const keyRange = isScalar(pair.key) ? pair.key.range : undefined;
      if (keyRange) offset = keyRange[0];
      node = pair.value;
      if (!isMap(node) && !isSeq(node) && node && typeof node === "object" && "range" in node) {
        const r = (node as YamlNode).range;
        if (r && !keyRange) offset = r[0];
      }
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg];
      if (!item) break;
      const r = (item as YamlNode).range;
      if (r) offset = r[0];
      node = item;
    } else break;
  }
  return positionOf(lc, offset);
}

function describe(obj: unknown): { kind?: string; name?: string } {
  if (!obj || typeof obj !== "object") return {};
  const o = obj as { kind?: unknown; metadata?: { name?: unknown } };
  const out: { kind?: string; name?: string } = {};
  if (typeof o.kind === "string") out.kind = o.kind;
  if (o.metadata && typeof o.metadata === "object" && typeof o.metadata.name === "string") out.name = o.metadata.name;
  return out;
}

function isListKind(obj: unknown): obj is { kind: string; items: unknown } {
  if (!obj || typeof obj !== "object") return false;
  const o = obj as { kind?: unknown; items?: unknown };
  return typeof o.kind === "string" && (o.kind === "List" || o.kind.endsWith("List")) && "items" in o;
}

/**
 * Parses a multi-document YAML stream, validating each object (and each item
 * of List documents) with `parse`. Never throws; all problems become issues.
 */
export function parseYamlDocuments<T>(text: string, parse: (obj: unknown) => ParseResult<T>): YamlParseResult<T> {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const items: Located<T>[] = [];
  const issues: YamlIssue[] = [];
  if (!Array.isArray(docs)) return { items, issues }; // empty stream
  docs.forEach((doc, i) => {
    const document = i + 1;
    const start = doc.range?.[0] ?? 0;
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const pos = positionOf(lc, err.pos[0]);
        issues.push({ document, ...pos, path: "(yaml)", message: err.message.split("\n")[0]! });
      }
      return;
    }
    if (doc.contents === null) return; // empty document (comments only)
    let obj: unknown;
    try {
      obj = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      issues.push({ document, ...positionOf(lc, start), path: "(yaml)", message: (err as Error).message });
      return;
    }
    if (obj === null || obj === undefined) return;
    const handle = (value: unknown, prefix: Segment[], item?: number) => {
      const r = parse(value);
      const pos = locate(doc.contents, prefix, lc, start);
      if (r.ok) {
        items.push({ value: r.value, document, line: pos.line, ...(item !== undefined ? { item } : {}) });
        return;
      }
      for (const issue of r.issues) {
        const full = [...prefix, ...issue.path];
        issues.push({ document, ...locate(doc.contents, full, lc, start), path: formatPath(full), message: issue.message, ...describe(value) });
      }
    };
    if (isListKind(obj)) {
      if (!Array.isArray(obj.items)) {
        issues.push({ document, ...locate(doc.contents, ["items"], lc, start), path: "items", message: `${obj.kind} items must be a list` });
        return;
      }
      obj.items.forEach((it, j) => handle(it, ["items", j], j));
    } else handle(obj, []);
  });
  return { items, issues };
}

export class YamlResourceError extends Error {
  readonly issues: YamlIssue[];
  constructor(issues: YamlIssue[], file?: string) {
    super(issues.map((i) => formatYamlIssue(i, file)).join("\n"));
    this.name = "YamlResourceError";
    this.issues = issues;
  }
}

/** `file:line: path: message` (file omitted → `document N, line L: path: message`). */
export function formatYamlIssue(issue: YamlIssue, file?: string): string {
  const where = file !== undefined ? `${file}:${issue.line}` : `document ${issue.document}, line ${issue.line}`;
  return `${where}: ${issue.path}: ${issue.message}`;
}

/** Parses Calico / Portcullis / Kubernetes NetworkPolicy resources from YAML. */
export function parseResourcesYaml(text: string): YamlParseResult<TResource> & { resources: TResource[] } {
  const r = parseYamlDocuments(text, parseResource);
  return { ...r, resources: r.items.map((i) => i.value) };
}

/** Like parseResourcesYaml but throws YamlResourceError when there is any issue. */
export function resourcesFromYaml(text: string): TResource[] {
  const r = parseResourcesYaml(text);
  if (r.issues.length) throw new YamlResourceError(r.issues);
  return r.resources;
}

// ---------------------------------------------------------------------------
// Serialising

const KEY_ORDER = [
  "apiVersion",
  "kind",
  "metadata",
  "name",
  "namespace",
  "labels",
  "annotations",
  "resourceVersion",
  "uid",
  "creationTimestamp",
  "generation",
  "spec",
  "stagedAction",
  "tier",
  "order",
  "defaultAction",
  "action",
  "protocol",
  "notProtocol",
  "icmp",
  "notICMP",
  "ipVersion",
  "source",
  "destination",
  "http",
  "pool",
  "ip",
  "cidrs",
  "exclude",
  "nets",
  "notNets",
  "selector",
  "notSelector",
  "serviceAccountSelector",
  "namespaceSelector",
  "podSelector",
  "gatewayNodeSelector",
  "networkSetSelector",
  "types",
  "ingress",
  "egress",
  "doNotTrack",
  "preDNAT",
  "applyOnForward",
  "performanceHints",
  "ports",
  "notPorts",
  "serviceAccounts",
  "services",
  "domains",
  "allowedEgressDomains",
  "destinations",
  "names",
  "type",
  "code",
  "methods",
  "paths",
  "exact",
  "prefix",
  "description",
];
const KEY_RANK = new Map(KEY_ORDER.map((k, i) => [k, i]));
const FREE_FORM_MAPS = new Set(["labels", "annotations"]);

function compareKeys(a: string, b: string): number {
  const ra = KEY_RANK.get(a) ?? Infinity;
  const rb = KEY_RANK.get(b) ?? Infinity;
  if (ra !== rb) return ra < rb ? -1 : 1;
  return compareBytes(a, b);
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === "") return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.keys(v as object).length === 0;
  return false;
}

function prune(value: unknown, freeForm = false): unknown {
  if (Array.isArray(value)) return value.map((v) => prune(v)).filter((v) => v !== undefined);
  if (value && typeof value === "object") {
    const entries: [string, unknown][] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (freeForm) {
        if (v !== undefined && v !== null) entries.push([k, v]);
        continue;
      }
      const p = prune(v, FREE_FORM_MAPS.has(k));
      if (!isEmpty(p)) entries.push([k, p]);
    }
    entries.sort((a, b) => (freeForm ? compareBytes(a[0], b[0]) : compareKeys(a[0], b[0])));
    return Object.fromEntries(entries);
  }
  return value;
}

/** A resource as a plain object with canonical key order and no empty fields. */
export function resourceToPlain(resource: TResource): Record<string, unknown> {
  const { apiVersion, kind, metadata, spec } = resource as { apiVersion: string; kind: string; metadata: object; spec?: object };
  const out = prune({ apiVersion, kind, metadata, spec }) as Record<string, unknown>;
  return out;
}

/** Serialises resources as multi-document YAML (`---` between documents). */
export function resourcesToYaml(resources: readonly TResource[]): string {
  return resources
    .map((r) => new Document(resourceToPlain(r), { version: "1.1" }).toString({ lineWidth: 0, minContentWidth: 0 }))
    .map((s, i) => (i === 0 ? s : `---\n${s}`))
    .join("");
}
