import pg from "pg";
import { inject } from "vitest";
import { createClient, setDb, type PrismaClient } from "../server/db";

let counter = 0;

/**
 * A new database cloned from the migrated template, made the process-wide database
 * (`db()` and DATABASE_URL point at it). Call in beforeAll; call `drop()` in afterAll.
 */
export async function freshDatabase(): Promise<{ url: string; client: PrismaClient; drop: () => Promise<void> }> {
  const adminUrl = inject("pgAdminUrl");
  const template = inject("pgTemplate");
  const name = `portcullis_t${counter++}_${Math.floor(Math.random() * 1e6)}_${template.split("_").pop()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  process.env.DATABASE_URL = url;
  const client = createClient(url);
  setDb(client);
  return {
    url,
    client,
    drop: async () => {
      await client.$disconnect();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A request context for calling services directly in tests. */
export function testCtx(actor: import("../server/auth/actor").Actor | null) {
  return { actor, requestId: `test-${Math.random().toString(36).slice(2)}`, ip: "127.0.0.1", userAgent: "vitest" };
}
