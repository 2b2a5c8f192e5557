import { readFileSync } from "node:fs";
import { expect, test, type Browser, type Page } from "@playwright/test";
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
  // A /28 has 14 usable addresses: the allocator never hands out its network and broadcast address.
  await expect(page.getByTestId("pool-dmz")).toContainText("2 of 14 addresses used");
  await expect(page.getByTestId("holder-192.0.2.5")).toContainText("held by node-c");
  await expect(page.getByTestId("holder-192.0.2.5")).toContainText("node-d");
  await page.screenshot({ path: "test-results/screens/egress.png", fullPage: true });

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  const csv = readFileSync((await download.path())!, "utf8").trim().split("\n");
  expect(csv[0]).toBe("namespace,assignment,egressIp,pool,destinations,gatewayNode,status,lastChangeRevision,lastChangeAt,lastChangeBy");
  expect(csv.find((l) => l.startsWith("payments,"))).toMatch(/^payments,gw,192\.0\.2\.5,dmz,everything outside the cluster,node-c,ok,\d+,/);
  expect(csv.find((l) => l.startsWith("analytics,"))).toMatch(/^analytics,gw,192\.0\.2\.1,dmz,203\.0\.113\.0\/24,,no-gateway,\d+,/);
});

async function asUser(browser: Browser, username: string, password: string): Promise<Page> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, username, password);
  return page;
}

test("an author creates a pool and assigns egress IPs with the form (taken addresses refused, naming the holder); an approver publishes; the firewall view shows them", async ({ page, browser }) => {
  test.setTimeout(150_000);
  await signIn(page, ADMIN.username, ADMIN.password);
  const origin = new URL(page.url()).origin;
  for (const [username, roles] of [["erin", ["viewer", "author"]], ["otto", ["viewer", "approver"]]] as const) {
    const res = await page.request.post("/api/v1/users", { headers: { origin }, data: { username, displayName: username, password: `${username}-password-1`, roles } });
    expect(res.status()).toBe(201);
  }
  const erin = await asUser(browser, "erin", "erin-password-1");
  await erin.getByRole("link", { name: "Egress" }).click();

  // A new pool, checked as typed: the selector's syntax and the pool's usable addresses.
  await erin.getByRole("button", { name: "New IP pool" }).click();
  const poolForm = erin.getByRole("dialog", { name: "New egress IP pool" });
  await poolForm.getByLabel("Name").fill("partners");
  await poolForm.getByLabel("CIDRs").fill("198.51.100.0/28");
  await expect(poolForm.getByTestId("pool-utilisation")).toContainText("14 usable addresses");
  await poolForm.getByLabel("Exclusions").fill("198.51.100.1");
  await expect(poolForm.getByTestId("pool-utilisation")).toContainText("13 usable addresses");
  await poolForm.getByLabel("Gateway node selector").fill("egress ==");
  await expect(poolForm.getByRole("alert").filter({ hasText: /selector/i })).toBeVisible();
  await expect(poolForm.getByRole("button", { name: "Save to draft" })).toBeDisabled();
  await poolForm.getByLabel("Gateway node selector").fill('egress == "true"');
  await poolForm.getByLabel("Description").fill("Partner bank allow-listed range");
  await erin.screenshot({ path: "test-results/screens/egress-pool-form.png" });
  await poolForm.getByRole("button", { name: "Save to draft" }).click();
  await expect(erin.getByTestId("saved-to-draft")).toContainText("in your draft");
  await expect(erin.getByTestId("egress-draft")).toContainText("partners");

  // shop-checkout gets a typed address from the drafted pool.
  await erin.getByRole("button", { name: "Assign egress IP" }).click();
  let form = erin.getByRole("dialog", { name: "Assign an egress IP" });
  await form.getByLabel("Namespace").selectOption("shop-checkout");
  await form.getByLabel("Assignment name").fill("egress-main");
  await form.getByLabel("Pool").selectOption("partners");
  await expect(form.getByTestId("pool-summary")).toContainText("13 of 13 usable addresses free");
  await form.getByLabel("Type an address").check();
  await form.getByLabel("Address", { exact: true }).fill("198.51.100.1");
  await expect(form.getByText("198.51.100.1 is excluded from pool partners")).toBeVisible();
  await form.getByLabel("Address", { exact: true }).fill("198.51.100.10");
  await expect(form.getByText("198.51.100.10 is free in pool partners.")).toBeVisible();
  await form.getByRole("button", { name: "Save to draft" }).click();
  await expect(erin.getByTestId("saved-to-draft")).toBeVisible();
  await expect(erin.getByTestId("egress-draft")).toContainText("shop-checkout");

  // shop-catalog: the taken address is refused as typed, naming who holds it; a free one is picked instead.
  await erin.getByRole("button", { name: "Assign egress IP" }).click();
  form = erin.getByRole("dialog", { name: "Assign an egress IP" });
  await form.getByLabel("Namespace").selectOption("shop-catalog");
  await form.getByLabel("Pool").selectOption("partners");
  await form.getByLabel("Type an address").check();
  await form.getByLabel("Address", { exact: true }).fill("198.51.100.10");
  await expect(form.getByText("198.51.100.10 is assigned to namespace shop-checkout/egress-main in your draft")).toBeVisible();
  await erin.screenshot({ path: "test-results/screens/egress-taken-ip.png" });
  await expect(form.getByRole("button", { name: "Save to draft" })).toBeDisabled();
  await form.getByLabel("Pick a free address").check();
  const free = form.getByRole("radiogroup", { name: "Free addresses" });
  await expect(free.getByLabel("198.51.100.2")).toBeVisible();
  await expect(free.getByLabel("198.51.100.10")).toHaveCount(0);
  await expect(free.getByLabel("198.51.100.1", { exact: true })).toHaveCount(0);
  await free.getByLabel("198.51.100.3").check();
  await erin.screenshot({ path: "test-results/screens/egress-assign-form.png" });
  await form.getByRole("button", { name: "Save to draft" }).click();
  const saved = erin.getByTestId("saved-to-draft");
  await expect(saved).toBeVisible();

  // The server refuses a taken address too, naming the holder.
  const clash = await erin.request.post("/api/v1/clusters/demo/draft", {
    headers: { origin },
    data: { changes: [{ op: "create", document: { apiVersion: "portcullis.dev/v1", kind: "EgressAssignment", metadata: { name: "clash-check", namespace: "payments" }, spec: { pool: "partners", ip: "198.51.100.10" } } }] },
  });
  expect(clash.status()).toBe(422);
  expect(JSON.stringify(await clash.json())).toContain("198.51.100.10 is already assigned by EgressAssignment shop-checkout/egress-main");
  await erin.screenshot({ path: "test-results/screens/egress-in-draft.png", fullPage: true });

  // Submit the draft; someone else approves and publishes it.
  await saved.getByRole("link").click();
  await expect(erin).toHaveURL(/\/changes\/[0-9a-f-]{36}$/);
  const changeUrl = erin.url();
  await expect(erin.getByTestId("change-item-EgressAssignment-egress-main")).toBeVisible();
  await erin.getByRole("button", { name: "Submit for review" }).click();
  await expect(erin.getByTestId("change-state")).toHaveText("submitted");
  const otto = await asUser(browser, "otto", "otto-password-1");
  await otto.goto(changeUrl);
  await otto.getByRole("button", { name: "Approve" }).click();
  await otto.getByRole("dialog").getByRole("button", { name: "Approve" }).click();
  await expect(otto.getByTestId("change-state")).toHaveText("approved");
  await otto.getByRole("button", { name: "Publish" }).click();
  await expect(otto.getByTestId("change-state")).toHaveText("published");

  // The firewall view lists each namespace with its egress IP.
  await otto.getByRole("link", { name: "Egress" }).click();
  await expect(otto.getByTestId("egress-row-shop-checkout")).toContainText("198.51.100.10");
  await expect(otto.getByTestId("egress-row-shop-checkout")).toContainText("partners");
  await expect(otto.getByTestId("egress-row-shop-catalog")).toContainText("198.51.100.3");
  await expect(otto.getByTestId("pool-partners")).toContainText("2 of 13 addresses used");
  await otto.screenshot({ path: "test-results/screens/egress-published.png", fullPage: true });
  // The narrower layout (~1024 px) keeps the firewall view and the form usable.
  await otto.setViewportSize({ width: 1024, height: 800 });
  await otto.screenshot({ path: "test-results/screens/egress-published-1024.png", fullPage: true });
  await erin.setViewportSize({ width: 1024, height: 800 });
  await erin.goto("/egress");
  await erin.getByRole("button", { name: "Edit egress IP of shop-checkout/egress-main" }).click();
  const edit = erin.getByRole("dialog", { name: "Edit egress IP of shop-checkout/egress-main" });
  await expect(edit.getByLabel("Address", { exact: true })).toHaveValue("198.51.100.10");
  await expect(edit.getByText("198.51.100.10 is free in pool partners.")).toBeVisible();
  await edit.getByLabel("Pick a free address").check();
  await expect(edit.getByRole("radiogroup", { name: "Free addresses" }).getByLabel("198.51.100.10")).toBeVisible();
  await erin.screenshot({ path: "test-results/screens/egress-edit-1024.png" });
});
