/**
 * An embedded PostgreSQL in a temporary folder for database benchmarks, migrated, with the
 * process-wide Prisma client pointed at it (like test/global-setup.ts does for tests).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient, setDb, type PrismaClient } from "../server/db";
import { startEmbeddedPostgres } from "../server/db/embedded";
import { migrate } from "../server/db/migrate";

export interface BenchDatabase {
  url: string;
  client: PrismaClient;
  stop(): Promise<void>;
}

export async function benchDatabase(name: string): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `portcullis-bench-${name}-`));
  const port = 50000 + Math.floor(Math.random() * 5000);
  const pg = await startEmbeddedPostgres({ dataDir, port, database: "bench" });
  await migrate(pg.url);
  process.env.DATABASE_URL = pg.url;
  const client = createClient(pg.url);
  setDb(client);
  return {
    url: pg.url,
    client,
    stop: async () => {
      await client.$disconnect();
      await pg.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
