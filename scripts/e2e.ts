/**
 * `npm run test:e2e`: runs the Playwright suite against a production build on a brand-new
 * embedded database (seeded with the demo cluster) in a temporary folder, removed afterwards.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const dataDir = mkdtempSync(path.join(tmpdir(), "portcullis-e2e-"));
const env = {
  ...process.env,
  E2E_DATA_DIR: dataDir,
  E2E_PORT: process.env.E2E_PORT ?? String(3300 + Math.floor(Math.random() * 500)),
  E2E_PG_PORT: process.env.E2E_PG_PORT ?? String(56000 + Math.floor(Math.random() * 3000)),
  E2E_ADMIN_PASSWORD: "e2e-admin-password",
  NEXT_TELEMETRY_DISABLED: "1",
};
const r = spawnSync(path.resolve("node_modules/.bin/playwright"), ["test", ...process.argv.slice(2)], { stdio: "inherit", env });
rmSync(dataDir, { recursive: true, force: true });
process.exit(r.status ?? 1);
