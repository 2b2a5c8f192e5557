import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db, type Tx } from "../../db";
import { ServiceError } from "../errors";
import type { TAgentStatus } from "./schemas";

/**
 * An agent's heartbeat: what it enforces (revision and bundle hash), its last error, counts and
 * hit counters. Heartbeats are telemetry; the audit log records the changes that matter: a newly
 * applied revision, and an error appearing or clearing.
 */
export async function reportAgentStatus(ctx: RequestContext, input: TAgentStatus) {
  const actor = ctx.actor;
  if (!actor || actor.type !== "agent") throw new ServiceError("forbidden", "this endpoint is for enforcement agents only");
  const report = {
    rules: input.rules ?? null,
    sets: input.sets ?? null,
    setElements: input.setElements ?? null,
    counters: input.counters ?? {},
    dns: input.dns ?? null,
    egress: input.egress ?? null,
  };
  // Fast path, no transaction: a heartbeat that changes nothing the audit log records.
  const touched = await db().$executeRaw`
    UPDATE agents SET last_heartbeat_at = now(), report = ${JSON.stringify(report)}::jsonb,
           version = COALESCE(${input.version ?? null}, version)
    WHERE id = ${actor.id}::uuid
      AND applied_revision IS NOT DISTINCT FROM ${input.appliedRevision}::int
      AND applied_bundle_sha256 IS NOT DISTINCT FROM ${input.bundleSha256}
      AND last_error IS NOT DISTINCT FROM ${input.lastError}`;
  if (touched === 1) return { ok: true as const };
  await recordInBatch({ ctx, actorId: actor.id, input, report });
  return { ok: true as const };
}

type Report = Record<string, unknown>;
interface Pending {
  ctx: RequestContext;
  actorId: string;
  input: TAgentStatus;
  report: Report;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Reports that change what an agent enforces (or its error) are written with their audit rows in
 * small batches: one transaction, one WAL flush and one hold of the audit chain head for up to
 * BATCH_MAX agents. A publish makes every agent of a cluster report within a second or two, and
 * one transaction each would serialise them on the chain head. Every report still gets its own
 * audit row in the same transaction as its write; its caller is answered once that commits.
 */
const BATCH_WINDOW_MS = 5;
const BATCH_MAX = 100;
const pending: Pending[] = [];
let timer: NodeJS.Timeout | null = null;

function recordInBatch(item: Omit<Pending, "resolve" | "reject">): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    pending.push({ ...item, resolve, reject });
    if (pending.length >= BATCH_MAX) flush();
    else timer ??= setTimeout(flush, BATCH_WINDOW_MS);
  });
}

/** One batch at a time: two batches holding agent rows and the chain head could deadlock. */
let flushing: Promise<void> = Promise.resolve();

function flush(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  flushing = flushing.then(writeBatch);
}

async function writeBatch(): Promise<void> {
  const batch = pending.splice(0, BATCH_MAX);
  if (pending.length) timer ??= setTimeout(flush, BATCH_WINDOW_MS);
  if (batch.length === 0) return;
  try {
    await db().$transaction(async (tx) => {
      for (const p of batch) await recordChange(tx, p);
    });
    for (const p of batch) p.resolve();
  } catch {
    // One report that cannot be written must not fail the others: each on its own.
    for (const p of batch) {
      try {
        await db().$transaction((tx) => recordChange(tx, p));
        p.resolve();
      } catch (err) {
        p.reject(err);
      }
    }
  }
}

async function recordChange(tx: Tx, { ctx, actorId, input, report }: Pending): Promise<void> {
  const actor = { id: actorId };
  // The row as it was (locked) and its update, in one statement.
  const [before] = await tx.$queryRaw<Array<{ applied_revision: number | null; applied_bundle_sha256: string | null; last_error: string | null }>>`
    WITH before AS (
      SELECT applied_revision, applied_bundle_sha256, last_error FROM agents WHERE id = ${actor.id}::uuid FOR UPDATE),
    upd AS (
      UPDATE agents a
         SET last_heartbeat_at = now(),
             version = COALESCE(${input.version ?? null}, a.version),
             applied_at = CASE WHEN a.applied_revision IS DISTINCT FROM ${input.appliedRevision}::int
                                 OR a.applied_bundle_sha256 IS DISTINCT FROM ${input.bundleSha256} THEN now() ELSE a.applied_at END,
             applied_revision = ${input.appliedRevision}::int,
             applied_bundle_sha256 = ${input.bundleSha256},
             last_error = ${input.lastError},
             report = ${JSON.stringify(report)}::jsonb
       WHERE a.id = ${actor.id}::uuid
      RETURNING a.id)
    SELECT before.* FROM before, upd`;
  if (!before) throw new ServiceError("unauthenticated", "this agent is no longer registered");
  const revisionChanged = input.appliedRevision !== before.applied_revision || input.bundleSha256 !== before.applied_bundle_sha256;
  const errorChanged = (input.lastError ?? null) !== (before.last_error ?? null);
  if (revisionChanged) {
    await appendAudit(tx, ctx, {
      action: "agent.revision.applied",
      target: { type: "agent", id: actor.id },
      before: { revision: before.applied_revision, bundleSha256: before.applied_bundle_sha256 },
      after: { revision: input.appliedRevision, bundleSha256: input.bundleSha256 },
    });
  } else if (errorChanged) {
    await appendAudit(tx, ctx, {
      action: input.lastError ? "agent.error" : "agent.error.cleared",
      outcome: input.lastError ? "failure" : "success",
      target: { type: "agent", id: actor.id },
      details: { error: input.lastError },
    });
  }
}
