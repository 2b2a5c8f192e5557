import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

/** The first row of the chain links to this value. */
export const GENESIS_HASH = "0".repeat(64);

export interface AuditContent {
  /** A bigint, or (for building a hash template) a placeholder string. */
  seq: bigint | string;
  at: Date;
  actorType: string;
  actorId: string | null;
  actorName: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  sourceIp: string | null;
  userAgent: string | null;
  requestId: string | null;
  before: unknown;
  after: unknown;
  details: unknown;
  prevHash: string;
}

/** Canonical serialisation of one row (RFC 8785 JSON), the input to its hash. */
export function canonicalAuditContent(row: AuditContent): string {
  const doc = {
    seq: typeof row.seq === "bigint" ? row.seq.toString() : row.seq,
    at: row.at.toISOString(),
    actorType: row.actorType,
    actorId: row.actorId,
    actorName: row.actorName,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    outcome: row.outcome,
    sourceIp: row.sourceIp,
    userAgent: row.userAgent,
    requestId: row.requestId,
    before: row.before ?? null,
    after: row.after ?? null,
    details: row.details ?? null,
    prevHash: row.prevHash,
  };
  const text = canonicalize(doc);
  if (text === undefined) throw new Error("audit row cannot be serialised");
  return text;
}

/** SHA-256 over the canonical content; the content includes the previous row's hash. */
export function auditHash(row: AuditContent): string {
  return createHash("sha256").update(canonicalAuditContent(row)).digest("hex");
}
