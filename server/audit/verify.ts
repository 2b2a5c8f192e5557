import type { PrismaClient } from "../db";

type AuditRow = Awaited<ReturnType<PrismaClient["auditEvent"]["findFirstOrThrow"]>>;
import { auditHash, GENESIS_HASH } from "./chain";

export interface ChainReport {
  ok: boolean;
  rowsChecked: number;
  lastSeq: string | null;
  lastHash: string | null;
  /** The first row where the chain breaks, and why. */
  firstBroken?: { seq: string; reason: string };
}

/**
 * Walks the whole chain in sequence order in pages (constant memory) and reports the first
 * broken link: a row whose content no longer matches its hash, whose previous-hash does not
 * match the row before it, or a gap in the sequence (a deleted row).
 */
export async function verifyAuditChain(client: PrismaClient, pageSize = 5000): Promise<ChainReport> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1n;
  let rowsChecked = 0;
  let lastSeq: bigint | null = null;
  for (;;) {
    const rows: AuditRow[] = await client.auditEvent.findMany({
      where: lastSeq === null ? {} : { seq: { gt: lastSeq } },
      orderBy: { seq: "asc" },
      take: pageSize,
    });
    if (rows.length === 0) break;
    for (const row of rows) {
      const broken = (reason: string): ChainReport => ({
        ok: false,
        rowsChecked,
        lastSeq: lastSeq?.toString() ?? null,
        lastHash: prevHash === GENESIS_HASH ? null : prevHash,
        firstBroken: { seq: row.seq.toString(), reason },
      });
      if (row.seq !== expectedSeq) {
        return broken(`sequence gap: expected row ${expectedSeq}, found ${row.seq} (rows missing or reordered)`);
      }
      if (row.prevHash !== prevHash) return broken("previous-hash link does not match the row before it");
      const recomputed = auditHash({ ...row, before: row.before, after: row.after, details: row.details });
      if (recomputed !== row.hash) return broken("row content does not match its hash (row was altered)");
      prevHash = row.hash;
      expectedSeq = row.seq + 1n;
      lastSeq = row.seq;
      rowsChecked++;
    }
  }
  return { ok: true, rowsChecked, lastSeq: lastSeq?.toString() ?? null, lastHash: lastSeq === null ? null : prevHash };
}
