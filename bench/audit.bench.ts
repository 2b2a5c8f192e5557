/**
 * Audit store (Postgres):
 * - sustained appends per second with 8 concurrent writers, each append its own transaction
 *   (the single-statement append autocommitted), and the same appends inside Prisma interactive
 *   transactions as the services make them; the chain is verified afterwards;
 * - streaming export of N rows to NDJSON (BENCH_AUDIT_ROWS, default 200 000) against
 *   `COPY (SELECT ...) TO STDOUT` of the same rows through pg, with the console process's peak
 *   RSS growth while exporting.
 */
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { SYSTEM_ACTOR } from "../server/auth/actor";
import { appendAudit } from "../server/audit/append";
import { verifyAuditChain } from "../server/audit/verify";
import { auditExportStream } from "../server/services/audit/export-audit";
import type { BenchSuite } from "./harness";
import { benchDatabase } from "./pg";

const WRITERS = 8;
const APPEND_SECONDS = 5;

const suite: BenchSuite = {
  name: "audit",
  needs: ["postgres"],
  async run(report) {
    const db = await benchDatabase("audit");
    try {
      // --- appends: 8 writers, each append one transaction (the single INSERT statement,
      // autocommitted), then the same inside Prisma interactive transactions as services do.
      const ctx = { actor: SYSTEM_ACTOR, requestId: "bench", ip: "127.0.0.1", userAgent: "bench" };
      let writes = 0;
      const appendRun = async (interactive: boolean): Promise<number> => {
        const deadline = performance.now() + APPEND_SECONDS * 1000;
        let n = 0;
        const start = performance.now();
        await Promise.all(
          Array.from({ length: WRITERS }, (_, w) =>
            (async () => {
              let i = 0;
              while (performance.now() < deadline) {
                const input = { action: "bench.append", target: { type: "writer", id: String(w) }, after: { i: i++, w } };
                if (interactive) await db.client.$transaction((tx) => appendAudit(tx, ctx, input));
                else await appendAudit(db.client, ctx, input);
                n++;
              }
            })(),
          ),
        );
        writes += n;
        return n / ((performance.now() - start) / 1000);
      };
      const single = await appendRun(false);
      const interactive = await appendRun(true);
      const chain = await verifyAuditChain(db.client);
      if (!chain.ok || chain.rowsChecked !== writes) throw new Error(`chain invalid after concurrent appends: ${JSON.stringify(chain)}`);
      report({ name: "audit.append.writes_per_s_8_writers", value: single, unit: "writes/s", target: ">= 2000" });
      report({ name: "audit.append.interactive_tx_per_s_8_writers", value: interactive, unit: "writes/s" });
      report({ name: "audit.append.chain_rows_verified", value: chain.rowsChecked, unit: "rows" });

      // --- export
      const rows = Number(process.env.BENCH_AUDIT_ROWS ?? 200_000);
      const raw = new pg.Client({ connectionString: db.url });
      await raw.connect();
      await raw.query("ALTER TABLE audit_events DISABLE TRIGGER USER");
      await raw.query(
        `INSERT INTO audit_events (seq, at, actor_type, actor_id, actor_name, action, target_type, target_id, outcome, source_ip, user_agent, request_id, before, after, details, prev_hash, hash)
         SELECT g, now() - (g || ' milliseconds')::interval, 'user', 'u' || (g % 50), 'user' || (g % 50), 'change.publish', 'change_request', md5(g::text), 'success',
                '10.0.0.' || (g % 250), 'Mozilla/5.0 bench', md5((g * 7)::text),
                jsonb_build_object('state', 'approved', 'round', g % 5), jsonb_build_object('state', 'published', 'revision', g), NULL,
                md5((g - 1)::text) || md5((g - 1)::text), md5(g::text) || md5(g::text)
         FROM generate_series($1::bigint, $2::bigint) g`,
        [writes + 1, writes + rows],
      );
      await raw.query("ALTER TABLE audit_events ENABLE TRIGGER USER");
      await raw.query("ANALYZE audit_events");
      const upTo = BigInt(writes + rows);

      // COPY baseline: the same JSON lines, straight from the server.
      const copyStart = performance.now();
      let copyBytes = 0;
      await pipeline(
        raw.query(copyTo(`COPY (SELECT json_build_object('seq', seq::text, 'at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'actorType', actor_type, 'actorId', actor_id, 'actorName', actor_name, 'action', action, 'targetType', target_type, 'targetId', target_id,
          'outcome', outcome, 'sourceIp', source_ip, 'userAgent', user_agent, 'requestId', request_id, 'before', before, 'after', after,
          'details', details, 'prevHash', prev_hash, 'hash', hash)::text FROM audit_events ORDER BY seq) TO STDOUT`)),
        new Writable({
          write(chunk: Buffer, _enc, cb) {
            copyBytes += chunk.length;
            cb();
          },
        }),
      );
      const copyMs = performance.now() - copyStart;
      await raw.end();

      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      let peak = rssBefore;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      const exportStart = performance.now();
      let exportBytes = 0;
      let lines = 0;
      const reader = auditExportStream(db.client, {}, "ndjson", upTo).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        exportBytes += value.byteLength;
        for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
        peak = Math.max(peak, process.memoryUsage().rss);
      }
      const exportMs = performance.now() - exportStart;
      clearInterval(sampler);
      if (lines !== writes + rows + 1) throw new Error(`export wrote ${lines} lines, expected ${writes + rows + 1}`);
      report({ name: `audit.export.ndjson_${rows}_rows`, value: exportMs, unit: "ms", baseline: copyMs, baselineLabel: "COPY TO STDOUT via pg" });
      report({ name: "audit.export.time_vs_copy", value: exportMs / copyMs, unit: "x", target: "<= 2" });
      report({ name: "audit.export.peak_rss_delta", value: (peak - rssBefore) / 1048576, unit: "MB" });
      report({ name: "audit.export.bytes_vs_copy", value: exportBytes / Math.max(1, copyBytes), unit: "x" });
    } finally {
      await db.stop();
    }
  },
};

export default suite;
