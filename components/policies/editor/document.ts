/**
 * The policy editor's source of truth: the raw resource document (plain JSON, exactly what the
 * YAML tab shows and what "Save to draft" sends). Form fields read and write paths inside it, so
 * anything the form does not model (http matches, icmp, rule annotations, ...) is kept as is.
 *
 * Pure functions only; every update returns a new document and leaves untouched branches
 * identical (so memoised rule cards skip re-rendering).
 */
import { CALICO_API_VERSION } from "@/server/policy/resources/common";

export type Seg = string | number;
export type Path = readonly Seg[];
export type Doc = Record<string, unknown>;

export const POLICY_KINDS = ["NetworkPolicy", "GlobalNetworkPolicy"] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];
export type Direction = "ingress" | "egress";
export type Side = "source" | "destination";

export function isPolicyKind(kind: unknown): kind is PolicyKind {
  return kind === "NetworkPolicy" || kind === "GlobalNetworkPolicy";
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function getIn(obj: unknown, path: Path): unknown {
  let cur = obj;
  for (const seg of path) {
    if (typeof seg === "number") {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[seg];
    } else {
      if (!isRecord(cur)) return undefined;
      cur = Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
    }
  }
  return cur;
}

/** A value the form treats as "not set": undefined, "", [] or {}. */
export function isUnset(v: unknown): boolean {
  if (v === undefined || v === "") return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isRecord(v)) return Object.keys(v).length === 0;
  return false;
}

function withKey(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let placed = false;
  for (const k of Object.keys(obj)) {
    if (k === key) {
      placed = true;
      if (value !== undefined) out[k] = value;
    } else out[k] = obj[k];
  }
  if (!placed && value !== undefined) {
    if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

function setRec(cur: unknown, path: Path, i: number, value: unknown): unknown {
  if (i === path.length) return value;
  const seg = path[i]!;
  if (typeof seg === "number") {
    const arr = Array.isArray(cur) ? [...cur] : [];
    const next = setRec(arr[seg], path, i + 1, value);
    if (next === undefined && i + 1 === path.length) arr.splice(seg, 1);
    else arr[seg] = next;
    return arr;
  }
  const obj = isRecord(cur) ? cur : {};
  let next = setRec(obj[seg], path, i + 1, value);
  // Prune objects and lists the update left empty (`destination: {}`, `ports: []`), but never a
  // top-level section (metadata, spec) and never an element of a list (a rule stays a rule).
  if (i >= 1 && isUnset(next)) next = undefined;
  return withKey(obj, seg, next);
}

/**
 * Sets `path` to `value` in a copy of `doc`. An unset value ("", [], {}, undefined) removes the
 * key, and objects left empty by the removal are removed too (below the top-level sections).
 */
export function setIn(doc: Doc, path: Path, value: unknown): Doc {
  if (path.length === 0) return isRecord(value) ? value : doc;
  const v = isUnset(value) && path.length > 1 ? undefined : value;
  return setRec(doc, path, 0, v) as Doc;
}

export function asString(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** How the form shows any scalar: strings as is, other scalars as text, nothing for unset. */
export function displayScalar(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function rulesOf(doc: Doc, direction: Direction): unknown[] {
  return asArray(getIn(doc, ["spec", direction]));
}

/** A new, empty policy of a kind (namespaced kinds get a namespace). */
export function newPolicy(kind: PolicyKind, namespace = "default"): Doc {
  return {
    apiVersion: CALICO_API_VERSION,
    kind,
    metadata: kind === "NetworkPolicy" ? { name: "", namespace } : { name: "" },
    spec: { tier: "default", selector: "" },
  };
}

const GLOBAL_ONLY_SPEC = ["namespaceSelector", "doNotTrack", "preDNAT", "applyOnForward"] as const;

/**
 * Switches a document between NetworkPolicy and GlobalNetworkPolicy: a namespace is added or
 * removed, and global-only spec fields are dropped when going namespaced. Returns what was dropped.
 */
export function changeKind(doc: Doc, kind: PolicyKind, namespace = "default"): { doc: Doc; dropped: string[] } {
  if (doc.kind === kind) return { doc, dropped: [] };
  const dropped: string[] = [];
  let next: Doc = { ...doc, kind };
  const meta = isRecord(doc.metadata) ? doc.metadata : {};
  if (kind === "GlobalNetworkPolicy") {
    if (meta.namespace !== undefined) dropped.push(`metadata.namespace (${displayScalar(meta.namespace)})`);
    next = setIn(next, ["metadata", "namespace"], undefined);
  } else {
    next = setIn(next, ["metadata", "namespace"], typeof meta.namespace === "string" && meta.namespace ? meta.namespace : namespace);
    for (const f of GLOBAL_ONLY_SPEC) {
      const v = getIn(doc, ["spec", f]);
      if (v !== undefined) {
        dropped.push(`spec.${f} (${displayScalar(v)})`);
        next = setIn(next, ["spec", f], undefined);
      }
    }
  }
  return { doc: next, dropped };
}

// ---------------------------------------------------------------------------
// Ordered lists (rules)

export function insertItem(doc: Doc, path: Path, item: unknown): Doc {
  return setIn(doc, path, [...asArray(getIn(doc, path)), item]);
}

export function removeItem(doc: Doc, path: Path, index: number): Doc {
  const list = [...asArray(getIn(doc, path))];
  list.splice(index, 1);
  return setIn(doc, path, list);
}

export function moveItem(doc: Doc, path: Path, from: number, to: number): Doc {
  const list = [...asArray(getIn(doc, path))];
  if (from < 0 || from >= list.length || to < 0 || to >= list.length || from === to) return doc;
  const [item] = list.splice(from, 1);
  list.splice(to, 0, item);
  return setIn(doc, path, list);
}

export function moveInArray<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (from < 0 || from >= out.length || to < 0 || to >= out.length) return out;
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item!);
  return out;
}

// ---------------------------------------------------------------------------
// List fields typed as text ("80, 443, 8000:8080", "10.0.0.0/8 192.168.0.0/16")

/** Splits a typed list on commas, whitespace and newlines; empty items are dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Ports: decimal numbers become numbers (as Calico prints them), ranges and names stay strings. */
export function parsePortList(text: string): Array<number | string> {
  return splitList(text).map((s) => (/^\d{1,5}$/.test(s) ? Number(s) : s));
}

export function formatList(v: unknown): string {
  return asArray(v).map(displayScalar).join(", ");
}

/** Structural equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Identity of the resource a document describes. */
export function resourceRef(doc: Doc): { kind: string; namespace: string | null; name: string } {
  const meta = isRecord(doc.metadata) ? doc.metadata : {};
  return {
    kind: typeof doc.kind === "string" ? doc.kind : "",
    namespace: doc.kind === "NetworkPolicy" ? (typeof meta.namespace === "string" && meta.namespace ? meta.namespace : "default") : null,
    name: typeof meta.name === "string" ? meta.name : "",
  };
}
