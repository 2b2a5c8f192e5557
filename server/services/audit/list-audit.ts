import type { RequestContext } from "../../auth/actor";
import { db, Prisma } from "../../db";
import { authorise } from "../authorise";
import { auditWhere, type TAuditFilters } from "./query";

interface Row {
  seq: bigint;
  at: Date;
  actor_type: string;
  actor_name: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  source_ip: string | null;
  request_id: string | null;
  has_diff: boolean;
  hash: string;
}

/**
 * Audit rows newest first, filtered, paginated by cursor: `before` is the seq of the last row of
 * the previous page (stable under concurrent appends, unlike an offset).
 */
export async function listAudit(ctx: RequestContext, input: TAuditFilters & { before?: string; limit?: number }) {
  authorise(ctx, ["auditor", "admin"]);
  const limit = input.limit ?? 50;
  const extra = input.before ? [Prisma.sql`seq < ${BigInt(input.before)}`] : [];
  const rows = await db().$queryRaw<Row[]>`
    SELECT seq, at, actor_type, actor_name, action, target_type, target_id, outcome, source_ip, request_id,
           (before IS NOT NULL OR after IS NOT NULL) AS has_diff, hash
    FROM audit_events WHERE ${auditWhere(input, extra)} ORDER BY seq DESC LIMIT ${limit + 1}`;
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({
      seq: r.seq.toString(),
      at: r.at.toISOString(),
      actorType: r.actor_type,
      actorName: r.actor_name,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      outcome: r.outcome,
      sourceIp: r.source_ip,
      requestId: r.request_id,
      hasDiff: r.has_diff,
      hash: r.hash,
    })),
    nextCursor: rows.length > limit ? page[page.length - 1]!.seq.toString() : null,
  };
}
