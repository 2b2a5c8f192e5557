/**
 * Shared pieces of the resource store and change requests: resource keys, canonical documents,
 * loading a cluster's live state, and validating a whole resulting resource set.
 */
import { allocateEgressIps, egressAssignmentKey } from "../../policy/egress-allocation";
import {
  BUILTIN_TIERS,
  cidrContainsIp,
  formatPath as formatResourcePath,
  isPolicy,
  parseCidr,
  parseIp,
  parseResource,
  resourceToPlain,
  type TEgressAssignment,
  type TEgressIPPool,
  type TResource,
} from "../../policy/index";
import { db, type PrismaClient, type Tx } from "../../db";
import { invalid, notFound, type FieldError } from "../errors";

export interface ResourceKey {
  kind: string;
  namespace: string;
  name: string;
}

export function keyOf(r: TResource): ResourceKey {
  const meta = r.metadata as { name: string; namespace?: string };
  return { kind: r.kind, namespace: meta.namespace ?? "", name: meta.name };
}

export function keyString(k: ResourceKey): string {
  return `${k.kind}/${k.namespace}/${k.name}`;
}

export function describeKey(k: ResourceKey): string {
  return k.namespace ? `${k.kind} ${k.namespace}/${k.name}` : `${k.kind} ${k.name}`;
}

/** Stable ordering of resources: kind, namespace, name (the bundle order). */
export function compareKeys(a: ResourceKey, b: ResourceKey): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}

/** Validates a resource document with the policy engine; issues become field errors under `prefix`. */
export function parseDocument(doc: unknown, prefix: string): { resource: TResource; document: Record<string, unknown> } {
  const r = parseResource(doc);
  if (!r.ok) {
    const errors: FieldError[] = r.issues.map((i) => {
      if (i.path.length === 0) return { path: prefix, message: i.message };
      const inner = formatResourcePath(i.path);
      return { path: inner.startsWith("[") ? `${prefix}${inner}` : `${prefix}.${inner}`, message: i.message };
    });
    throw invalid(errors);
  }
  const document = resourceToPlain(r.value);
  return { resource: r.value, document };
}

/** Re-reads a stored canonical document (already validated when it was stored). */
export function storedResource(doc: unknown): TResource {
  const r = parseResource(doc);
  if (!r.ok) throw new Error(`stored resource no longer validates: ${r.issues.map((i) => i.message).join("; ")}`);
  return r.value;
}

type Client = Tx | PrismaClient;

export async function clusterByName(name: string, client: Client = db()) {
  const cluster = await client.cluster.findUnique({ where: { name } });
  if (!cluster) throw notFound(`cluster "${name}"`);
  return cluster;
}

export async function currentRevisionNumber(clusterId: string, client: Client = db()): Promise<number> {
  const last = await client.revision.findFirst({ where: { clusterId }, orderBy: { number: "desc" }, select: { number: true } });
  return last?.number ?? 0;
}

export interface LiveResource {
  key: ResourceKey;
  version: number;
  revision: number;
  deleted: boolean;
  document: Record<string, unknown> | null;
}

/** Every stored resource of a cluster (tombstones included), keyed by keyString. */
export async function loadStore(clusterId: string, client: Client = db()): Promise<Map<string, LiveResource>> {
  const rows = await client.policyResource.findMany({ where: { clusterId } });
  const out = new Map<string, LiveResource>();
  for (const r of rows) {
    const key = { kind: r.kind, namespace: r.namespace, name: r.name };
    out.set(keyString(key), {
      key,
      version: r.version,
      revision: r.revision,
      deleted: r.deleted,
      document: (r.document as Record<string, unknown> | null) ?? null,
    });
  }
  return out;
}

export interface PlannedChange {
  op: "create" | "update" | "delete";
  key: ResourceKey;
  baseVersion: number;
  document: Record<string, unknown> | null;
}

/** The live resources after applying `changes` to `store` (keyed by keyString). */
export function resultingResources(store: Map<string, LiveResource>, changes: readonly PlannedChange[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const [k, r] of store) if (!r.deleted && r.document) out.set(k, r.document);
  for (const c of changes) {
    const k = keyString(c.key);
    if (c.op === "delete") out.delete(k);
    else if (c.document) out.set(k, c.document);
  }
  return out;
}

/**
 * Whole-request validation on the resulting state: base versions still describe what each change
 * expects, every referenced tier and egress pool exists, names are unique, and no egress IP is
 * assigned twice or outside its pool. Errors name `changes[i]...` for the change at fault.
 */
export function validateRequest(store: Map<string, LiveResource>, changes: readonly PlannedChange[]): FieldError[] {
  const errors: FieldError[] = [];
  const indexOf = new Map<string, number>();
  changes.forEach((c, i) => {
    const k = keyString(c.key);
    if (indexOf.has(k)) errors.push({ path: `changes[${i}]`, message: `${describeKey(c.key)} is changed more than once in this request` });
    indexOf.set(k, i);
    const live = store.get(k);
    const exists = live !== undefined && !live.deleted;
    if (c.op === "create" && exists) errors.push({ path: `changes[${i}].document.metadata.name`, message: `${describeKey(c.key)} already exists; change it with an update` });
    if (c.op !== "create" && !exists) errors.push({ path: `changes[${i}]`, message: `${describeKey(c.key)} does not exist, so it cannot be ${c.op === "delete" ? "deleted" : "updated"}` });
  });
  const result = resultingResources(store, changes);
  const resources: Array<{ key: string; resource: TResource }> = [];
  for (const [k, doc] of result) resources.push({ key: k, resource: storedResource(doc) });
  const tiers = new Set<string>(Object.keys(BUILTIN_TIERS));
  const pools = new Map<string, TEgressIPPool>();
  for (const { resource } of resources) {
    if (resource.kind === "Tier") tiers.add(resource.metadata.name);
    if (resource.kind === "EgressIPPool") pools.set(resource.metadata.name, resource);
  }
  const pathFor = (key: string, inner: string): string | null => {
    const i = indexOf.get(key);
    return i === undefined ? null : `changes[${i}].document.${inner}`;
  };
  // Addresses the published state gives to assignments without an explicit ip: asking for one of
  // them explicitly would silently move that namespace to another source address.
  const autoHolders = automaticEgressHolders(store);
  const resultAssignments = new Map<string, TEgressAssignment>();
  for (const { resource } of resources) if (resource.kind === "EgressAssignment") resultAssignments.set(`EgressAssignment ${resource.metadata.namespace}/${resource.metadata.name}`, resource);
  const ipsSeen = new Map<string, string>();
  // Resources this request leaves alone claim their egress IPs first, then the changes in order:
  // a conflict is blamed on the change and names the assignment that already holds the IP.
  const ordered = [...resources].sort((a, b) => (indexOf.get(a.key) ?? -1) - (indexOf.get(b.key) ?? -1));
  for (const { key, resource } of ordered) {
    if (isPolicy(resource)) {
      const tier = resource.spec.tier;
      if (!tiers.has(tier)) {
        const p = pathFor(key, "spec.tier");
        errors.push({ path: p ?? `resources.${key}`, message: `tier "${tier}" does not exist${p ? "" : ` (needed by ${key}, whose tier this request deletes)`}` });
      }
    }
    if (resource.kind === "EgressAssignment") {
      const a: TEgressAssignment = resource;
      const pool = pools.get(a.spec.pool);
      if (!pool) {
        const p = pathFor(key, "spec.pool");
        errors.push({ path: p ?? `resources.${key}`, message: `egress IP pool "${a.spec.pool}" does not exist` });
      } else if (a.spec.ip) {
        const ip = parseIp(a.spec.ip).text;
        const inside = pool.spec.cidrs.some((c) => cidrContainsIp(parseCidr(c, { strict: false }), ip));
        const excluded = (pool.spec.exclude ?? []).some((c) => cidrContainsIp(parseCidr(c, { strict: false }), ip));
        const p = pathFor(key, "spec.ip");
        if (!inside) errors.push({ path: p ?? `resources.${key}`, message: `ip ${ip} is not inside pool "${pool.metadata.name}" (${pool.spec.cidrs.join(", ")})` });
        else if (excluded) errors.push({ path: p ?? `resources.${key}`, message: `ip ${ip} is excluded from pool "${pool.metadata.name}"` });
        const self = `EgressAssignment ${a.metadata.namespace}/${a.metadata.name}`;
        const other = ipsSeen.get(ip);
        const auto = autoHolders.get(ip);
        if (other) errors.push({ path: p ?? `resources.${key}`, message: `egress ip ${ip} is already assigned by ${other}` });
        else {
          ipsSeen.set(ip, self);
          // Only a change is refused for it (published state is what it is), and only while the holder stays automatic.
          if (p && auto && auto !== self && resultAssignments.has(auto) && !resultAssignments.get(auto)!.spec.ip) {
            errors.push({ path: p, message: `egress ip ${ip} is held by ${auto} (allocated automatically); pick a free address, or give ${auto} another address in this change request` });
          }
        }
      }
    }
  }
  return errors;
}

/** IP → "EgressAssignment ns/name" for the published assignments whose address is allocated automatically. */
function automaticEgressHolders(store: Map<string, LiveResource>): Map<string, string> {
  const pools: TEgressIPPool[] = [];
  const assignments: TEgressAssignment[] = [];
  for (const r of store.values()) {
    if (r.deleted || !r.document || (r.key.kind !== "EgressIPPool" && r.key.kind !== "EgressAssignment")) continue;
    const res = storedResource(r.document);
    if (res.kind === "EgressIPPool") pools.push(res);
    else if (res.kind === "EgressAssignment") assignments.push(res);
  }
  const out = new Map<string, string>();
  if (!assignments.some((a) => !a.spec.ip)) return out;
  const allocated = allocateEgressIps(pools, assignments);
  for (const a of assignments) {
    if (a.spec.ip) continue;
    const got = allocated.get(egressAssignmentKey(a));
    if (got && "ip" in got) out.set(got.ip, `EgressAssignment ${a.metadata.namespace}/${a.metadata.name}`);
  }
  return out;
}

/**
 * Whole-state validation of changes being saved into a draft that already holds `draft`: the
 * errors of the saved changes of the given kinds (e.g. an egress IP another assignment holds),
 * with paths `${prefix}[i]` indexing `saved`. Other problems wait for submit, as drafts may be
 * built up in any order.
 */
export function validateSaved(store: Map<string, LiveResource>, draft: readonly PlannedChange[], saved: readonly PlannedChange[], kinds: ReadonlySet<string>, prefix = "changes"): FieldError[] {
  if (!saved.some((c) => kinds.has(c.key.kind))) return [];
  const savedKeys = new Set(saved.map((c) => keyString(c.key)));
  const kept = draft.filter((c) => !savedKeys.has(keyString(c.key)));
  const errors = validateRequest(store, [...kept, ...saved]);
  const out: FieldError[] = [];
  for (const e of errors) {
    const m = /^changes\[(\d+)\](.*)$/.exec(e.path);
    if (!m) continue;
    const i = Number(m[1]) - kept.length;
    if (i < 0 || !kinds.has(saved[i]!.key.kind)) continue;
    out.push({ path: `${prefix}[${i}]${m[2]}`, message: e.message });
  }
  return out;
}

/** Keys whose stored version no longer matches the version a change was based on. */
export function staleChanges(store: Map<string, LiveResource>, changes: readonly PlannedChange[]) {
  const out: Array<ResourceKey & { baseVersion: number; currentVersion: number }> = [];
  for (const c of changes) {
    const current = store.get(keyString(c.key))?.version ?? 0;
    if (current !== c.baseVersion) out.push({ ...c.key, baseVersion: c.baseVersion, currentVersion: current });
  }
  return out;
}

/** Labels of a stored document, for filtering. */
export function labelsOfDocument(doc: Record<string, unknown>): Record<string, string> {
  const meta = doc.metadata as { labels?: Record<string, string> } | undefined;
  return meta?.labels ?? {};
}
