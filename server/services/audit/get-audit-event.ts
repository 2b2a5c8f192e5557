import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { lineDiff } from "../../policy/line-diff";
import { authorise } from "../authorise";
import { notFound } from "../errors";

function pretty(v: unknown): string {
  return v === null || v === undefined ? "" : JSON.stringify(v, null, 2) + "\n";
}

/** One audit row in full, with a line diff of its before and after. */
export async function getAuditEvent(ctx: RequestContext, seq: bigint) {
  authorise(ctx, ["auditor", "admin"]);
  const r = await db().auditEvent.findUnique({ where: { seq } });
  if (!r) throw notFound(`audit row ${seq}`);
  return {
    seq: r.seq.toString(),
    at: r.at.toISOString(),
    actorType: r.actorType,
    actorId: r.actorId,
    actorName: r.actorName,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    outcome: r.outcome,
    sourceIp: r.sourceIp,
    userAgent: r.userAgent,
    requestId: r.requestId,
    before: r.before,
    after: r.after,
    details: r.details,
    prevHash: r.prevHash,
    hash: r.hash,
    diff: lineDiff(pretty(r.before), pretty(r.after)),
  };
}
