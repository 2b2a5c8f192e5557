import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db, Prisma, type PrismaClient } from "../../db";
import { authorise } from "../authorise";
import { AUDIT_ROW_JSON, auditWhere, type TAuditFilters } from "./query";
import { csvField } from "../csv";

export type ExportFormat = "ndjson" | "csv";

export const CSV_COLUMNS = [
  "seq", "at", "actorType", "actorId", "actorName", "action", "targetType", "targetId", "outcome",
  "sourceIp", "userAgent", "requestId", "before", "after", "details", "prevHash", "hash",
] as const;


export interface ExportTrailer {
  trailer: true;
  rows: number;
  lastSeq: string | null;
  lastHash: string | null;
  upToSeq: string;
  format: ExportFormat;
  filters: TAuditFilters;
}

/**
 * Streams the filtered audit rows (oldest first, up to `upToSeq`) as NDJSON or CSV in constant
 * memory: pages of `pageSize` rows are read by seq cursor only when the consumer pulls. Each
 * NDJSON line is exactly the content the row's hash covers plus `hash`; the last line (CSV: a
 * `#trailer` line) gives the row count and the seq and hash of the last row, which a reader checks
 * against the chain (POST /api/v1/audit/verify, or `npm run audit:verify`).
 */
export function auditExportStream(client: PrismaClient, filters: TAuditFilters, format: ExportFormat, upToSeq: bigint, pageSize = 5000): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor = 0n;
  let rows = 0;
  let lastHash: string | null = null;
  let lastSeq: string | null = null;
  let done = false;
  let headerSent = format !== "csv";
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      // One row per page: Postgres builds and joins the JSON lines, the console only copies text.
      const [page] = await client.$queryRaw<Array<{ lines: string | null; n: number; last_seq: bigint | null; last_hash: string | null }>>`
        SELECT string_agg(line, E'\n' ORDER BY seq) AS lines, count(*)::int AS n, max(seq) AS last_seq,
               (array_agg(hash ORDER BY seq DESC))[1] AS last_hash
        FROM (SELECT seq, hash, ${AUDIT_ROW_JSON} AS line FROM audit_events
              WHERE ${auditWhere(filters, [Prisma.sql`seq > ${cursor}`, Prisma.sql`seq <= ${upToSeq}`])}
              ORDER BY seq LIMIT ${pageSize}) p`;
      const n = page?.n ?? 0;
      let chunk = "";
      if (!headerSent) {
        chunk += CSV_COLUMNS.join(",") + "\n";
        headerSent = true;
      }
      if (n > 0 && page?.lines) {
        if (format === "ndjson") chunk += page.lines + "\n";
        else {
          // JSON text never contains a raw newline, so the page splits cleanly into rows.
          for (const line of page.lines.split("\n")) {
            const o = JSON.parse(line) as Record<string, unknown>;
            chunk += CSV_COLUMNS.map((c) => csvField(o[c])).join(",") + "\n";
          }
        }
        cursor = page.last_seq!;
        lastSeq = page.last_seq!.toString();
        lastHash = page.last_hash;
        rows += n;
      }
      if (n < pageSize) {
        done = true;
        const trailer: ExportTrailer = { trailer: true, rows, lastSeq, lastHash, upToSeq: upToSeq.toString(), format, filters };
        chunk += format === "ndjson" ? JSON.stringify(trailer) + "\n" : `#trailer,rows=${rows},lastSeq=${lastSeq ?? ""},lastHash=${lastHash ?? ""},upToSeq=${upToSeq}\n`;
        controller.enqueue(encoder.encode(chunk));
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(chunk));
    },
  }, { highWaterMark: 1 });
}

/**
 * Auditors export the filtered audit log. The export itself is audited first (one row); the
 * stream covers the rows before that one, so what was exported is fixed and reproducible.
 */
export async function exportAudit(ctx: RequestContext, filters: TAuditFilters, format: ExportFormat) {
  authorise(ctx, ["auditor", "admin"]);
  const { seq } = await db().$transaction((tx) => appendAudit(tx, ctx, { action: "audit.export", details: { format, filters } }));
  const upToSeq = seq - 1n;
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return {
    stream: auditExportStream(db(), filters, format, upToSeq),
    contentType: format === "ndjson" ? "application/x-ndjson; charset=utf-8" : "text/csv; charset=utf-8",
    filename: `portcullis-audit-${stamp}.${format === "ndjson" ? "ndjson" : "csv"}`,
    upToSeq: upToSeq.toString(),
  };
}
