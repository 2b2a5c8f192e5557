import { defineConfig, devices } from "@playwright/test";

/**
 * Browser tests against a production build (`server/main.ts` builds if needed, then serves with
 * `next start` semantics) on a fresh, seeded embedded database. Started by `npm run test:e2e`
 * (scripts/e2e.ts), which picks the data folder and ports.
 */
const port = Number(process.env.E2E_PORT ?? 3210);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  outputDir: "test-results",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 } } }],
  webServer: {
    command: "node_modules/.bin/tsx server/main.ts",
    url: `${baseURL}/api/ready`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(port),
      PORTCULLIS_HOST: "127.0.0.1",
      PORTCULLIS_DATA_DIR: process.env.E2E_DATA_DIR ?? ".data/e2e",
      PORTCULLIS_EMBEDDED_PG_PORT: process.env.E2E_PG_PORT ?? "55432",
      PORTCULLIS_ADMIN_PASSWORD: process.env.E2E_ADMIN_PASSWORD ?? "e2e-admin-password",
      PORTCULLIS_DEMO: "true",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
