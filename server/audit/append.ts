import { randomBytes } from "node:crypto";
import type { Actor, RequestContext } from "../auth/actor";
import type { PrismaClient, Tx } from "../db";
import { canonicalAuditContent, type AuditContent } from "./chain";

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

function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/**
 * Appends one audit row inside the caller's transaction, linked to the previous row.
 * Call it in the same transaction as the write it records: no audit, no change. (With the
 * client itself instead of a transaction, the append is a transaction of its own.)
 *
 * One statement does it: it takes the row lock of the chain head (`audit_chain_head`), which
 * serialises appenders until their commit (Postgres re-reads the head row once the previous
 * holder commits, so the link is always to the last committed row), advances it, and inserts
 * the row. The row's hash is SHA-256 over its canonical content (server/audit/chain.ts); the
 * content is serialised here with random placeholders for `seq` and `prevHash`, which Postgres
 * fills in before hashing, so the result is exactly `auditHash(row)`.
 */
export async function appendAudit(tx: Tx | PrismaClient, ctx: RequestContext, input: AuditInput): Promise<{ seq: bigint; hash: string }> {
  const actor = input.actor ?? ctx.actor;
  const nonce = randomBytes(16).toString("hex");
  const seqToken = `@seq-${nonce}@`;
  const prevToken = `@prev-${nonce}@`;
  // Round-trip through JSON so the hash covers exactly what JSONB stores and returns.
  const before = jsonOrNull(input.before);
  const after = jsonOrNull(input.after);
  const details = jsonOrNull(input.details);
  const content: AuditContent = {
    seq: seqToken,
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
    before: before === null ? null : (JSON.parse(before) as unknown),
    after: after === null ? null : (JSON.parse(after) as unknown),
    details: details === null ? null : (JSON.parse(details) as unknown),
    prevHash: prevToken,
  };
  const template = canonicalAuditContent(content);
  const rows = await tx.$queryRaw<Array<{ seq: bigint; hash: string }>>`
    WITH head AS (
      UPDATE audit_chain_head
         SET seq = seq + 1,
             prev_hash = hash,
             hash = encode(sha256(convert_to(replace(replace(${template}, ${seqToken}, (seq + 1)::text), ${prevToken}, hash), 'UTF8')), 'hex')
       WHERE id = 1
   RETURNING seq, prev_hash, hash)
    INSERT INTO audit_events (seq, at, actor_type, actor_id, actor_name, action, target_type, target_id, outcome,
                              source_ip, user_agent, request_id, before, after, details, prev_hash, hash)
    SELECT head.seq, ${content.at}, ${content.actorType}, ${content.actorId}, ${content.actorName}, ${content.action},
           ${content.targetType}, ${content.targetId}, ${content.outcome}, ${content.sourceIp}, ${content.userAgent},
           ${content.requestId}, ${before}::jsonb, ${after}::jsonb, ${details}::jsonb, head.prev_hash, head.hash
      FROM head
    RETURNING seq, hash`;
  const row = rows[0];
  if (!row) throw new Error("the audit chain head is missing: run the database migrations");
  return { seq: row.seq, hash: row.hash };
}
