/**
 * `npm run audit:verify`: walks the audit chain of DATABASE_URL (or the embedded server) and
 * reports the first broken row. Exits 0 when the chain is intact, 2 when it is broken.
 */
import { verifyAuditChain } from "../server/audit/verify";
import { config } from "../server/config";
import { createClient } from "../server/db";
import { startEmbeddedPostgres } from "../server/db/embedded";

const env = config();
const embedded = env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ dataDir: env.PORTCULLIS_DATA_DIR, port: env.PORTCULLIS_EMBEDDED_PG_PORT });
const client = createClient(env.DATABASE_URL ?? embedded!.url);
let code = 0;
try {
  const report = await verifyAuditChain(client);
  if (report.ok) {
    console.log(`audit chain intact: ${report.rowsChecked} rows, last row ${report.lastSeq ?? "-"} with hash ${report.lastHash ?? "-"}`);
  } else {
    console.error(`audit chain BROKEN at row ${report.firstBroken!.seq}: ${report.firstBroken!.reason}`);
    console.error(`rows before it verified: ${report.rowsChecked} (last good row ${report.lastSeq ?? "-"})`);
    code = 2;
  }
} finally {
  await client.$disconnect();
  await embedded?.stop();
}
process.exit(code);
