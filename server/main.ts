/**
 * The console's entry point (`npm start`): validates configuration, starts the embedded
 * PostgreSQL when DATABASE_URL is unset, applies migrations, seeds a brand-new database, builds
 * the Next.js app if the build is missing or older than the sources, and serves it.
 *
 *   npm start                 console on http://127.0.0.1:3000 with demo data
 *   npm start -- --no-demo    no demo cluster on a new database
 *   npm start -- --dev        Next.js development mode
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import path from "node:path";
import next from "next";
import { ConfigError, config } from "./config";
import { createClient } from "./db";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded";
import { migrate } from "./db/migrate";
import { stopRevisionListener } from "./db/notify";
import { requestIdFrom } from "./http/route";
import { seedDatabase } from "./services/seed/seed-database";
import { ensureSigningKey } from "./services/signing/signing-key";
import { startWebhookWorker } from "./services/webhooks/outbox";

const argv = process.argv.slice(2);
const dev = argv.includes("--dev");
if (argv.includes("--no-demo")) process.env.PORTCULLIS_DEMO = "false";
process.env.NEXT_TELEMETRY_DISABLED = "1";

function say(msg: string): void {
  process.stdout.write(`[portcullis] ${msg}\n`);
}

const SOURCE_DIRS = ["app", "components", "server", "public"];
const SOURCE_FILES = ["package.json", "package-lock.json", "next.config.ts", "postcss.config.mjs", "tsconfig.json"];

function newestSourceMtime(root: string): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === "generated" || e.name.startsWith(".")) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of SOURCE_DIRS) if (existsSync(path.join(root, d))) walk(path.join(root, d));
  for (const f of SOURCE_FILES) if (existsSync(path.join(root, f))) newest = Math.max(newest, statSync(path.join(root, f)).mtimeMs);
  return newest;
}

function buildIfNeeded(root: string, distDir: string): void {
  const buildId = path.join(root, distDir, "BUILD_ID");
  if (existsSync(buildId) && statSync(buildId).mtimeMs >= newestSourceMtime(root)) return;
  say("building the console (next build) ...");
  const r = spawnSync(path.join(root, "node_modules", ".bin", "next"), ["build"], { stdio: "inherit", cwd: root, env: process.env });
  if (r.status !== 0) throw new Error("next build failed");
}

/** The real peer address for the app (clients cannot set it); X-Forwarded-* only when trusted. */
function sanitiseHeaders(req: IncomingMessage, trustProxy: boolean): void {
  const h = req.headers;
  let peer = req.socket.remoteAddress ?? null;
  if (trustProxy) {
    const fwd = h["x-forwarded-for"];
    const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(",")[0]?.trim();
    if (first) peer = first;
  } else {
    delete h["x-forwarded-for"];
    delete h["x-forwarded-proto"];
    delete h["x-forwarded-host"];
    delete h["x-forwarded-port"];
  }
  if (peer?.startsWith("::ffff:")) peer = peer.slice(7);
  if (peer) h["x-portcullis-peer"] = peer;
  else delete h["x-portcullis-peer"];
}

async function main(): Promise<void> {
  let env;
  try {
    env = config();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + "\n");
      process.exit(1);
    }
    throw err;
  }
  const root = process.cwd();
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    say(`starting embedded PostgreSQL (data in ${path.resolve(env.PORTCULLIS_DATA_DIR, "pg")}) ...`);
    embedded = await startEmbeddedPostgres({ dataDir: env.PORTCULLIS_DATA_DIR, port: env.PORTCULLIS_EMBEDDED_PG_PORT });
    databaseUrl = embedded.url;
    process.env.DATABASE_URL = databaseUrl;
    env.DATABASE_URL = databaseUrl;
  }

  const state: { server?: ReturnType<typeof createServer> } = {};
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: shutting down ...`);
    // Stop accepting, let in-flight requests finish for up to 5 s (agents' long-polls simply
    // reconnect elsewhere), then close what is left.
    const closed = new Promise<void>((resolve) => (state.server ? state.server.close(() => resolve()) : resolve()));
    state.server?.closeIdleConnections();
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5000))]);
    state.server?.closeAllConnections();
    await stopRevisionListener();
    if (embedded) {
      await embedded.stop().catch(() => {});
      say("embedded PostgreSQL stopped");
    }
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  const migrated = await migrate(databaseUrl, { log: say });
  if (migrated.applied.length) say(`applied ${migrated.applied.length} migration(s)`);

  const client = createClient(databaseUrl);
  const seeded = await seedDatabase(client, {
    adminUsername: env.PORTCULLIS_ADMIN_USERNAME,
    adminPassword: env.PORTCULLIS_ADMIN_PASSWORD,
    demo: env.PORTCULLIS_DEMO,
  });
  const signingKey = await ensureSigningKey(client);
  say(`bundle signing key ${signingKey.keyId} (${signingKey.source}); public key ${signingKey.publicKeyHex}`);
  await client.$disconnect();
  if (seeded.admin) {
    if (seeded.admin.generatedPassword) {
      say("created the first admin account. Its password is shown only this once:");
      say(`    username: ${seeded.admin.username}`);
      say(`    password: ${seeded.admin.generatedPassword}`);
    } else {
      say(`created the first admin account "${seeded.admin.username}" with the password from PORTCULLIS_ADMIN_PASSWORD`);
    }
  }
  if (seeded.demoCluster) {
    say(`seeded demo cluster "${seeded.demoCluster.name}": ${seeded.demoCluster.namespaces} namespaces, ${seeded.demoCluster.pods} pods`);
  }

  if (!dev) buildIfNeeded(root, env.PORTCULLIS_NEXT_DIST_DIR);
  const app = next({ dev, dir: root, hostname: env.PORTCULLIS_HOST, port: env.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  // Loaded once Next has set up its runtime (next/server needs it).
  const { AGENT_ROUTES } = await import("./http/agent-routes");
  const { serveRoute } = await import("./http/serve-route");
  const server = createServer((req, res) => {
    sanitiseHeaders(req, env.PORTCULLIS_TRUST_PROXY);
    // One request id per request, on every response (pages, health checks, assets, API); the
    // API's route wrapper reads it back from the request, so logs and problems carry the same id.
    const given = req.headers["x-request-id"];
    const requestId = requestIdFrom(Array.isArray(given) ? given[0] : given);
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    // The agents' API is served directly (the same handlers Next's routes export), without the
    // page router in between: a publish wakes every agent of a cluster at once.
    const direct = AGENT_ROUTES[(req.url ?? "").split("?")[0]!]?.[req.method ?? ""];
    if (direct) void serveRoute(req, res, direct, `http://${req.headers.host ?? "localhost"}`);
    else void handle(req, res);
  });
  state.server = server;
  const stopWebhooks = startWebhookWorker();
  process.once("exit", stopWebhooks);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, env.PORTCULLIS_HOST, () => resolve());
  });
  const shownHost = env.PORTCULLIS_HOST === "0.0.0.0" ? "localhost" : env.PORTCULLIS_HOST;
  say(`console ready on ${env.PORTCULLIS_PUBLIC_URL ?? `http://${shownHost}:${env.PORT}`}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[portcullis] failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
