import type { Actor, RequestContext } from "../auth/actor";
import { Prisma, type Tx } from "../db";
import { auditHash, GENESIS_HASH, type AuditContent } from "./chain";

/** Serialises appenders so that concurrent writers still produce one chain. */
const AUDIT_LOCK_KEY = 7_305_571_202;

export type Outcome = "success" | "failure" | "denied";

export interface AuditInput {
  action: string;
  outcome?: Outcome;
  target?: { type: string; id: string } | null;
  before?: unknown;
  after?: unknown;
  details?: unknown;
  /** Overrides the context's actor (e.g. a failed login names the attempted user). */
  actor?: Actor | { type: "anonymous"; id: null; name: string };
}

function json(value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  if (value === undefined || value === null) return Prisma.DbNull;
  return value as Prisma.InputJsonValue;
}

/**
 * Appends one audit row inside the caller's transaction, linked to the previous row.
 * Call it in the same transaction as the write it records: no audit, no change.
 */
export async function appendAudit(tx: Tx, ctx: RequestContext, input: AuditInput): Promise<{ seq: bigint; hash: string }> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY}::bigint)`;
  const last = await tx.$queryRaw<Array<{ seq: bigint; hash: string }>>`
    SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`;
  const prev = last[0];
  const actor = input.actor ?? ctx.actor;
  const content: AuditContent = {
    seq: (prev?.seq ?? 0n) + 1n,
    at: new Date(),
    actorType: actor?.type ?? "anonymous",
    actorId: actor?.id ?? null,
    actorName: actor?.name ?? "anonymous",
    action: input.action,
    targetType: input.target?.type ?? null,
    targetId: input.target?.id ?? null,
    outcome: input.outcome ?? "success",
    sourceIp: ctx.ip,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
    before: input.before ?? null,
    after: input.after ?? null,
    details: input.details ?? null,
    prevHash: prev?.hash ?? GENESIS_HASH,
  };
  // Round-trip through JSON so the hash covers exactly what JSONB stores and returns.
  content.before = JSON.parse(JSON.stringify(content.before)) as unknown;
  content.after = JSON.parse(JSON.stringify(content.after)) as unknown;
  content.details = JSON.parse(JSON.stringify(content.details)) as unknown;
  const hash = auditHash(content);
  await tx.auditEvent.create({
    data: {
      ...content,
      before: json(content.before),
      after: json(content.after),
      details: json(content.details),
      hash,
    },
  });
  return { seq: content.seq, hash };
}
