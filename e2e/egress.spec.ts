import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { register, reportStatus } from "../agents/console/client";
import { ADMIN, signIn } from "./helpers";

const EGRESS_YAML = `apiVersion: portcullis.dev/v1
kind: EgressIPPool
metadata:
  name: dmz
spec:
  cidrs: [192.0.2.0/28]
  gatewayNodeSelector: egress == "true"
---
apiVersion: portcullis.dev/v1
kind: EgressAssignment
metadata:
  name: gw
  namespace: payments
spec:
  pool: dmz
  ip: 192.0.2.5
---
apiVersion: portcullis.dev/v1
kind: EgressAssignment
metadata:
  name: gw
  namespace: analytics
spec:
  pool: dmz
  destinations:
    nets: [203.0.113.0/24]
`;

test("the Egress page shows each namespace's egress IP, the node holding it, and namespaces without a gateway", async ({ page, playwright, baseURL }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  const origin = new URL(page.url()).origin;
  await page.request.post("/api/v1/users", { headers: { origin }, data: { username: "ema", displayName: "Ema", password: "ema-password-123", roles: ["viewer", "approver"] } });
  const open = await page.request.post("/api/v1/clusters/demo/changes", { headers: { origin }, data: { title: "Egress IPs for payments and analytics", yaml: EGRESS_YAML } });
  expect(open.status()).toBe(201);
  const { id } = (await open.json()) as { id: string };
  expect((await page.request.post(`/api/v1/changes/${id}/submit`, { headers: { origin } })).status()).toBe(200);
  const ema = await playwright.request.newContext({ baseURL });
  expect((await ema.post("/api/v1/auth/login", { headers: { origin }, data: { username: "ema", password: "ema-password-123" } })).status()).toBe(200);
  expect((await ema.post(`/api/v1/changes/${id}/review`, { headers: { origin }, data: { decision: "approve" } })).status()).toBe(200);
  expect((await ema.post(`/api/v1/changes/${id}/publish`, { headers: { origin } })).status()).toBe(200);
  await ema.dispose();

  // A gateway node's agent reports what it sees: payments' IP held here, analytics' IP unheld.
  const { token } = (await (await page.request.post("/api/v1/clusters/demo/bootstrap-tokens", { headers: { origin }, data: { oneTime: true } })).json()) as { token: string };
  const { credential } = await register(baseURL!, token, { cluster: "demo", nodeName: "node-c", version: "0.1.0-test" });
  const since = new Date(Date.now() - 60_000).toISOString();
  await reportStatus(baseURL!, credential, {
    appliedRevision: null,
    bundleSha256: null,
    lastError: null,
    egress: {
      node: "node-c",
      ips: [
        { ip: "192.0.2.5", pool: "dmz", holder: "node-c", valid: true, since, servedHere: true, transitions: 2, history: [{ holder: "node-d", at: new Date(Date.now() - 120_000).toISOString() }, { holder: "node-c", at: since }], gatewayNodes: ["node-c", "node-d"] },
        { ip: "192.0.2.1", pool: "dmz", holder: null, valid: false, since: null, servedHere: false, transitions: 0, history: [], gatewayNodes: [] },
      ],
      assignments: [
        { namespace: "payments", name: "gw", ip: "192.0.2.5", status: "ok", reason: null, gateway: "node-c", pods: 25 },
        { namespace: "analytics", name: "gw", ip: "192.0.2.1", status: "no-gateway", reason: "no node matching the pool's gateway selector is healthy", gateway: null, pods: 26 },
      ],
    },
  });

  await page.getByRole("link", { name: "Egress" }).click();
  const payments = page.getByTestId("egress-row-payments");
  await expect(payments).toContainText("192.0.2.5");
  await expect(payments).toContainText("node-c");
  await expect(payments).toContainText("everything outside the cluster");
  await expect(page.getByTestId("egress-row-analytics")).toContainText("no healthy gateway");
  // analytics asked for no IP: it gets the pool's lowest free address, as the agents compute it.
  await expect(page.getByTestId("egress-row-analytics")).toContainText("192.0.2.1");
  await expect(page.getByTestId("egress-row-analytics")).toContainText("allocated");
  await expect(page.getByTestId("egress-alert")).toContainText("analytics");
  await expect(page.getByTestId("pool-dmz")).toContainText("2 of 16 addresses used");
  await expect(page.getByTestId("holder-192.0.2.5")).toContainText("held by node-c");
  await expect(page.getByTestId("holder-192.0.2.5")).toContainText("node-d");
  await page.screenshot({ path: "test-results/screens/egress.png", fullPage: true });

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  const csv = readFileSync((await download.path())!, "utf8").trim().split("\n");
  expect(csv[0]).toBe("namespace,assignment,egressIp,pool,destinations,gatewayNode,status,lastChangeRevision,lastChangeAt,lastChangeBy");
  expect(csv.find((l) => l.startsWith("payments,"))).toMatch(/^payments,gw,192\.0\.2\.5,dmz,everything outside the cluster,node-c,ok,\d+,/);
  expect(csv.find((l) => l.startsWith("analytics,"))).toMatch(/^analytics,gw,192\.0\.2\.1,dmz,203\.0\.113\.0\/24,,no-gateway,\d+,/);
});
