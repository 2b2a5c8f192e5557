/**
 * Generates the Prisma client (server/db/generated) offline. Generation itself is WebAssembly;
 * the CLI only insists that a schema-engine binary path exists, which it never runs here.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
const r = spawnSync(path.resolve("node_modules/.bin/prisma"), ["generate"], { stdio: "inherit", env });
process.exit(r.status ?? 1);
