/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded server). */
import { config } from "../server/config";
import { startEmbeddedPostgres } from "../server/db/embedded";
import { migrate } from "../server/db/migrate";

const env = config();
const embedded = env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ dataDir: env.PORTCULLIS_DATA_DIR, port: env.PORTCULLIS_EMBEDDED_PG_PORT });
try {
  const r = await migrate(env.DATABASE_URL ?? embedded!.url, { log: (m) => console.log(m) });
  console.log(`applied ${r.applied.length}, already applied ${r.alreadyApplied.length}`);
} finally {
  await embedded?.stop();
}
