import { mkdirSync, writeFileSync } from "node:fs";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { register, reportInventory } from "../agents/console/client";
import { ADMIN, signIn } from "./helpers";

/**
 * The policy board's first render with 2 000 published policies, on a production build. It
 * prints the figures (navigation start -> first policy row in the DOM, and the board API's own
 * time); it asserts what is shown (the total, the first page), never a time.
 */
const CLUSTER = "perf-board";
const POLICIES = 2_000;
const NAMESPACES = 40;

function policiesYaml(): string {
  const docs: string[] = [
    JSON.stringify({ apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "security" }, spec: { order: 100 } }),
    JSON.stringify({ apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "platform" }, spec: { order: 200 } }),
  ];
  for (let i = 0; i < POLICIES; i++) {
    const ns = `team-${i % NAMESPACES}`;
    const app = `svc-${i % 25}`;
    const rule = { action: "Allow", protocol: "TCP", source: { selector: `app == "client-${i % 7}"` }, destination: { ports: [8000 + (i % 100)] } };
    if (i % 10 === 0) {
      const tier = i % 20 === 0 ? "security" : "platform";
      docs.push(JSON.stringify({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: `${tier}.global-${i}` }, spec: { tier, order: i, selector: `team == "t${i % NAMESPACES}"`, types: ["Ingress", "Egress"], ingress: [rule], egress: [{ action: "Pass" }] } }));
    } else {
      docs.push(JSON.stringify({ apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: `allow-${app}-${i}`, namespace: ns }, spec: { order: 100 + (i % 500), selector: `app == "${app}"`, ingress: [rule] } }));
    }
  }
  return docs.join("\n---\n");
}

async function ok(res: Promise<import("@playwright/test").APIResponse>, status = 200) {
  const r = await res;
  expect(r.status(), await r.text()).toBe(status);
  return r.json() as Promise<Record<string, unknown>>;
}

test("the policy board renders its first page quickly with 2 000 published policies, and shows the total", async ({ page, playwright, baseURL }) => {
  test.setTimeout(300_000);
  await signIn(page, ADMIN.username, ADMIN.password);
  const origin = new URL(page.url()).origin;
  const suffix = Math.random().toString(36).slice(2, 8);
  const approver = { username: `perf-approver-${suffix}`, password: "perf-approver-password-1" };
  await ok(page.request.post("/api/v1/users", { headers: { origin }, data: { ...approver, displayName: "Perf approver", roles: ["viewer", "approver"] } }), 201);
  await ok(page.request.post("/api/v1/clusters", { headers: { origin }, data: { name: CLUSTER, displayName: "Perf board" } }), 201);

  // An agent reports 600 running pods, so "pods selected" is counted against a real inventory.
  const { token } = (await ok(page.request.post(`/api/v1/clusters/${CLUSTER}/bootstrap-tokens`, { headers: { origin }, data: { oneTime: true } }), 201)) as { token: string };
  const { credential } = await register(baseURL!, token, { cluster: CLUSTER, nodeName: "perf-node", version: "0.1.0-test" });
  await reportInventory(baseURL!, credential, {
    namespaces: Array.from({ length: NAMESPACES }, (_, i) => ({ name: `team-${i}`, labels: { team: `t${i}` } })),
    pods: Array.from({ length: 600 }, (_, i) => ({
      namespace: `team-${i % NAMESPACES}`,
      name: `svc-${i % 25}-${i}`,
      labels: { app: `svc-${i % 25}`, team: `t${i % NAMESPACES}` },
      serviceAccount: "default",
      podIps: [`10.${20 + (i >> 8)}.${i & 255}.1`],
      ports: [{ name: "http", port: 8080, protocol: "TCP" as const }],
      phase: "Running",
    })),
  });

  // Published the way people publish: the admin authors, another user approves and publishes.
  const opened = await ok(page.request.post(`/api/v1/clusters/${CLUSTER}/changes`, { headers: { origin }, data: { title: "2 000 policies", yaml: policiesYaml() }, timeout: 120_000 }), 201);
  const id = opened.id as string;
  await ok(page.request.post(`/api/v1/changes/${id}/submit`, { headers: { origin }, timeout: 120_000 }));
  const other: APIRequestContext = await playwright.request.newContext({ baseURL });
  await ok(other.post("/api/v1/auth/login", { headers: { origin }, data: approver }));
  await ok(other.post(`/api/v1/changes/${id}/review`, { headers: { origin }, data: { decision: "approve" }, timeout: 120_000 }));
  await ok(other.post(`/api/v1/changes/${id}/publish`, { headers: { origin }, timeout: 120_000 }));
  await other.dispose();

  // The API alone (the server computes evaluation order, filters and pages).
  const apiTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const board = (await ok(page.request.get(`/api/v1/clusters/${CLUSTER}/policy-board`))) as { total: number; totalPolicies: number; policies: unknown[] };
    apiTimes.push(Date.now() - t0);
    expect([board.totalPolicies, board.total, board.policies.length]).toEqual([POLICIES, POLICIES, 100]);
  }

  // Navigation -> first policy row in the DOM, timed in the page (performance.now() counts from navigation start).
  await page.addInitScript(() => {
    const w = window as unknown as { __boardRendered?: number };
    const seen = () => {
      if (w.__boardRendered === undefined && document.querySelector('[data-testid^="board-policy-"]')) w.__boardRendered = performance.now();
    };
    new MutationObserver(seen).observe(document, { childList: true, subtree: true });
  });
  const runs: Array<{ firstRow: number; domContentLoaded: number; load: number }> = [];
  for (let i = 0; i < 4; i++) {
    await page.goto(`/policies?cluster=${CLUSTER}`);
    await expect(page.locator('[data-testid^="board-policy-"]').first()).toBeVisible({ timeout: 30_000 });
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      return { firstRow: (window as unknown as { __boardRendered: number }).__boardRendered, domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
    });
    runs.push(t);
  }
  await expect(page.getByTestId("board-summary")).toContainText("2,000 policies");
  await expect(page.getByTestId("board-summary")).toContainText("showing 1–100");
  await expect(page.locator('[data-testid^="board-policy-"]')).toHaveCount(100);
  await expect(page.getByRole("navigation", { name: "Pages" })).toContainText("Page 1 of 20");
  mkdirSync("test-results/screens", { recursive: true });
  await page.screenshot({ path: "test-results/screens/policy-board-2000.png" });

  const round = (x: number) => Math.round(x);
  const warm = runs.slice(1).map((r) => r.firstRow).sort((a, b) => a - b);
  const summary = {
    policies: POLICIES,
    apiMs: apiTimes,
    firstRowMs: runs.map((r) => round(r.firstRow)),
    domContentLoadedMs: runs.map((r) => round(r.domContentLoaded)),
    coldFirstRowMs: round(runs[0]!.firstRow),
    warmMedianFirstRowMs: round(warm[Math.floor(warm.length / 2)]!),
  };
  mkdirSync("test-results/perf", { recursive: true });
  writeFileSync("test-results/perf/policy-board.json", JSON.stringify(summary, null, 2));
  console.log(`policy board, ${POLICIES} policies: first row ${summary.firstRowMs.join(" / ")} ms after navigation start (cold ${summary.coldFirstRowMs} ms, warm median ${summary.warmMedianFirstRowMs} ms); board API ${apiTimes.join(" / ")} ms`);
});
