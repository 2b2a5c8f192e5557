/**
 * Adding changes to a request: validate each with the policy engine, record the version it was
 * based on, and replace an earlier change to the same resource. A change to a submitted or
 * approved request starts a new review round (earlier approvals no longer count).
 */
import { Prisma, type Tx } from "../../db";
import type { TChangeInput } from "../../policy/changes";
import { invalid, ServiceError, type FieldError } from "../errors";
import type { RequestWithItems } from "./requests";
import { describeKey, keyString, loadStore, parseDocument, type LiveResource, type ResourceKey } from "./store";

export interface ResolvedChange {
  op: "create" | "update" | "delete";
  key: ResourceKey;
  document: Record<string, unknown> | null;
}

/**
 * Validates inputs against the cluster's store. `mode: "explicit"` keeps the requested op (and
 * refuses a create of an existing resource); `mode: "upsert"` (YAML import) picks create or update.
 */
export async function resolveChanges(
  tx: Tx,
  clusterId: string,
  inputs: readonly TChangeInput[],
  mode: "explicit" | "upsert",
  pathOf: (i: number) => string,
  /** The cluster's store when the caller has loaded it already in this transaction. */
  loaded?: Map<string, LiveResource>,
): Promise<ResolvedChange[]> {
  const store = loaded ?? (await loadStore(clusterId, tx));
  const errors: FieldError[] = [];
  const out: ResolvedChange[] = [];
  const seen = new Map<string, number>();
  inputs.forEach((input, i) => {
    const base = pathOf(i);
    let change: ResolvedChange;
    if (input.op === "delete") {
      const key = { kind: input.resource.kind, namespace: input.resource.namespace ?? "", name: input.resource.name };
      change = { op: "delete", key, document: null };
    } else {
      try {
        const { resource, document } = parseDocument(input.document, `${base}.document`);
        const meta = resource.metadata as { name: string; namespace?: string };
        change = { op: input.op, key: { kind: resource.kind, namespace: meta.namespace ?? "", name: meta.name }, document };
      } catch (err) {
        if (err instanceof ServiceError && err.code === "validation_failed") {
          errors.push(...(err.extra.errors ?? []));
          return;
        }
        throw err;
      }
    }
    const live = store.get(keyString(change.key));
    const exists = live !== undefined && !live.deleted;
    if (mode === "upsert" && change.op !== "delete") change.op = exists ? "update" : "create";
    if (change.op === "create" && exists) errors.push({ path: `${base}.document.metadata.name`, message: `${describeKey(change.key)} already exists; change it with an update` });
    if (change.op !== "create" && !exists) errors.push({ path: base, message: `${describeKey(change.key)} does not exist` });
    const k = keyString(change.key);
    const prior = seen.get(k);
    if (prior !== undefined) errors.push({ path: base, message: `${describeKey(change.key)} also appears at ${pathOf(prior)}` });
    seen.set(k, i);
    out.push(change);
  });
  if (errors.length) throw invalid(errors);
  return out;
}

/** Writes resolved changes into the request (replacing earlier changes to the same resources). */
export async function recordChanges(tx: Tx, cr: RequestWithItems, clusterId: string, changes: readonly ResolvedChange[], loaded?: Map<string, LiveResource>): Promise<void> {
  const store = loaded ?? (await loadStore(clusterId, tx));
  const existing = new Map(cr.items.map((i) => [keyString(i), i]));
  const creates: Prisma.ChangeItemCreateManyInput[] = [];
  let position = cr.items.reduce((max, i) => Math.max(max, i.position), 0);
  for (const c of changes) {
    const k = keyString(c.key);
    const prior = existing.get(k);
    const document = c.document === null ? Prisma.DbNull : (c.document as Prisma.InputJsonValue);
    if (prior) {
      // Keep the version the request was first based on, so a base that moved is still detected.
      await tx.changeItem.update({ where: { id: prior.id }, data: { op: c.op, document } });
    } else {
      creates.push({
        changeRequestId: cr.id,
        position: ++position,
        op: c.op,
        kind: c.key.kind,
        namespace: c.key.namespace,
        name: c.key.name,
        baseVersion: store.get(k)?.version ?? 0,
        document,
      });
    }
  }
  if (creates.length) await tx.changeItem.createMany({ data: creates });
  await touchRequest(tx, cr);
}

/** Any change to a submitted or approved request resets its approvals (a new round) and returns it to review. */
export async function touchRequest(tx: Tx, cr: { id: string; state: string; round: number }): Promise<void> {
  const reviewing = cr.state === "submitted" || cr.state === "approved";
  await tx.changeRequest.update({
    where: { id: cr.id },
    data: reviewing ? { round: cr.round + 1, state: "submitted", decidedAt: null } : { updatedAt: new Date() },
  });
}
