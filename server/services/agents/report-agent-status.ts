import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db, type Prisma } from "../../db";
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
  return db().$transaction(async (tx) => {
    const before = await tx.agent.findUniqueOrThrow({ where: { id: actor.id } });
    const revisionChanged = input.appliedRevision !== before.appliedRevision || input.bundleSha256 !== before.appliedBundleSha256;
    const errorChanged = (input.lastError ?? null) !== (before.lastError ?? null);
    await tx.agent.update({
      where: { id: actor.id },
      data: {
        lastHeartbeatAt: new Date(),
        version: input.version ?? before.version,
        appliedRevision: input.appliedRevision,
        appliedBundleSha256: input.bundleSha256,
        appliedAt: revisionChanged ? new Date() : before.appliedAt,
        lastError: input.lastError,
        report: report as Prisma.InputJsonValue,
      },
    });
    if (revisionChanged) {
      await appendAudit(tx, ctx, {
        action: "agent.revision.applied",
        target: { type: "agent", id: actor.id },
        before: { revision: before.appliedRevision, bundleSha256: before.appliedBundleSha256 },
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
    return { ok: true as const };
  });
}
