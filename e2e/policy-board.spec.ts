import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { ADMIN, signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

/** Policies for the demo cluster's board: a security tier in front of the default tier. */
const BOARD_YAML = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.deny-threat-range}
spec:
  tier: security
  order: 10
  selector: all()
  types: [Egress]
  egress:
    - {action: Deny, destination: {nets: [203.0.113.0/24]}}
    - {action: Pass}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.pass-rest}
spec: {tier: security, order: 20, selector: all(), types: [Ingress], ingress: [{action: Pass}]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: board-allow-web, namespace: shop-frontend}
spec: {order: 7100, selector: app == "web", ingress: [{action: Allow, protocol: TCP, destination: {ports: [8080]}}]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: board-allow-ledger, namespace: payments}
spec: {order: 7200, selector: app == "ledger", ingress: [{action: Allow, protocol: TCP, destination: {ports: [5432]}}]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: board-deny-rest, namespace: payments}
spec: {selector: all(), types: [Ingress]}
`;

const suffix = Math.random().toString(36).slice(2, 7);
const author = { username: `board-author-${suffix}`, password: "board-author-password-1" };
const approver = { username: `board-approver-${suffix}`, password: "board-approver-password-1" };

async function asUser(browser: Browser, who: { username: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, who.username, who.password);
  return page;
}

test("the demo board: published policies by tier, links to the editor, server-side filters", async ({ page, playwright, baseURL }) => {
  test.setTimeout(120_000);
  await signIn(page, ADMIN.username, ADMIN.password);
  const origin = new URL(page.url()).origin;
  for (const [u, roles] of [[author, ["viewer", "author"]], [approver, ["viewer", "approver"]]] as const) {
    expect((await page.request.post("/api/v1/users", { headers: { origin }, data: { ...u, displayName: u.username, roles } })).status()).toBe(201);
  }
  const open = await page.request.post("/api/v1/clusters/demo/changes", { headers: { origin }, data: { title: "Board policies", yaml: BOARD_YAML } });
  expect(open.status()).toBe(201);
  const { id } = (await open.json()) as { id: string };
  expect((await page.request.post(`/api/v1/changes/${id}/submit`, { headers: { origin } })).status()).toBe(200);
  const other: APIRequestContext = await playwright.request.newContext({ baseURL });
  expect((await other.post("/api/v1/auth/login", { headers: { origin }, data: approver })).status()).toBe(200);
  expect((await other.post(`/api/v1/changes/${id}/review`, { headers: { origin }, data: { decision: "approve" } })).status()).toBe(200);
  expect((await other.post(`/api/v1/changes/${id}/publish`, { headers: { origin } })).status()).toBe(200);
  await other.dispose();

  await page.getByRole("link", { name: "Policies" }).click();
  const web = page.getByTestId("board-policy-board-allow-web");
  await expect(web).toContainText("shop-frontend/board-allow-web");
  await expect(web).toContainText("namespaced");
  await expect(page.getByRole("table", { name: "Policies in tier security" })).toContainText("security.deny-threat-range");
  await expect(page.getByTestId("board-summary")).toContainText(/\d+ policies/);
  // Links to the policy editor.
  await expect(web.getByRole("link", { name: "shop-frontend/board-allow-web" })).toHaveAttribute("href", "/policies/edit?cluster=demo&kind=NetworkPolicy&namespace=shop-frontend&name=board-allow-web");
  await expect(page.getByTestId("board-policy-security.pass-rest").getByRole("link")).toHaveAttribute("href", "/policies/edit?cluster=demo&kind=GlobalNetworkPolicy&name=security.pass-rest");
  await expect(page.getByRole("link", { name: "New policy" })).toHaveAttribute("href", "/policies/new?cluster=demo");
  await page.screenshot({ path: "test-results/screens/policy-board-demo.png", fullPage: true });

  // Filters run on the server: text over namespaces, kind, and sorting by name gives one flat table.
  await page.getByLabel("Search").fill("payments");
  await expect(page.getByTestId("board-policy-board-allow-web")).toHaveCount(0);
  await expect(page.getByTestId("board-policy-board-allow-ledger")).toBeVisible();
  await expect(page.getByTestId("board-summary")).toContainText("matching");
  await page.getByLabel("Search").fill("");
  await page.getByLabel("Kind").selectOption("global");
  await expect(page.getByTestId("board-policy-board-allow-ledger")).toHaveCount(0);
  await expect(page.getByTestId("board-policy-security.pass-rest")).toBeVisible();
  await page.getByLabel("Kind").selectOption("");
  await page.getByLabel("Sort by").selectOption("pods");
  await expect(page.getByRole("table", { name: "Policies", exact: true })).toBeVisible();
  await expect(page.getByRole("table", { name: "Policies in tier security" })).toHaveCount(0);
});

test("viewers get no drag handles; an author reorders with the keyboard into their draft, and the tester compares the draft", async ({ browser }) => {
  test.setTimeout(120_000);
  const viewer = await asUser(browser, approver);
  await viewer.goto("/policies?cluster=demo");
  await expect(viewer.getByTestId("board-policy-board-allow-ledger")).toBeVisible();
  await expect(viewer.getByRole("button", { name: /^Reorder / })).toHaveCount(0);

  const alex = await asUser(browser, author);
  await alex.goto("/policies?cluster=demo");
  const ledger = alex.getByTestId("board-policy-board-allow-ledger");
  await expect(ledger).toBeVisible();
  await expect(alex.getByTestId("draft-banner")).toHaveCount(0);
  // Keyboard: pick up, move one up (above board-allow-web), drop — each step as screen readers hear it.
  const rows = alex.getByRole("table", { name: "Policies in tier default" }).locator("tbody tr");
  const before = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid")));
  const at = before.indexOf("board-policy-board-allow-ledger") + 1;
  const handle = alex.getByRole("button", { name: "Reorder payments/board-allow-ledger" });
  await handle.focus();
  await alex.keyboard.press("Space");
  await expect(alex.getByText(`Policy payments/board-allow-ledger moved to position ${at} of ${before.length}.`)).toBeAttached();
  await alex.keyboard.press("ArrowUp");
  await expect(alex.getByText(`Policy payments/board-allow-ledger moved to position ${at - 1} of ${before.length}.`)).toBeAttached();
  await alex.keyboard.press("Space");
  const banner = alex.getByTestId("draft-banner");
  await expect(banner).toContainText(/in your draft — open change request/);
  // The board now shows the draft applied: the ledger policy sits right before the web one, marked as changed.
  await expect(ledger).toContainText("changed in draft");
  const names = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid")));
  expect(names).toEqual([...before.slice(0, at - 2), "board-policy-board-allow-ledger", ...before.slice(at - 2).filter((n) => n !== "board-policy-board-allow-ledger")]);
  // Only the moved policy changes here (other specs' policies in this tier may share orders and need renumbering too).
  type Item = { op: string; name: string; baseVersion: number; document: { spec: { order: number } } };
  const draft = (await (await alex.request.get("/api/v1/clusters/demo/draft")).json()) as { draft: { id: string; items: Item[] } };
  const moved = draft.draft.items.find((i) => i.name === "board-allow-ledger")!;
  expect([moved.op, moved.baseVersion]).toEqual(["update", 1]);
  expect(moved.document.spec.order).toBeLessThan(7100);
  expect(draft.draft.items.every((i) => i.op === "update")).toBe(true);
  const n = draft.draft.items.length;
  await expect(banner).toContainText(`${n} change${n === 1 ? "" : "s"} in your draft — open change request`);
  await expect(banner.getByRole("link", { name: "open change request" })).toHaveAttribute("href", `/changes/${draft.draft.id}`);
  await alex.screenshot({ path: "test-results/screens/policy-board-draft.png", fullPage: true });

  // A second change in the draft lifts the threat-range deny; the tester shows both verdicts.
  const origin = new URL(alex.url()).origin;
  const current = (await (await alex.request.get("/api/v1/clusters/demo/resources/GlobalNetworkPolicy/security.deny-threat-range")).json()) as { version: number; document: { spec: Record<string, unknown> } };
  const save = await alex.request.post("/api/v1/clusters/demo/draft", {
    headers: { origin },
    data: { changes: [{ op: "update", baseVersion: current.version, document: { ...current.document, spec: { ...current.document.spec, egress: [{ action: "Pass" }] } } }] },
  });
  expect(save.status()).toBe(200);
  await alex.getByRole("link", { name: "Test a flow" }).click();
  const pod = ((await (await alex.request.get("/api/v1/clusters/demo/pods?namespace=shop-frontend&pageSize=1")).json()) as { items: Array<{ namespace: string; name: string }> }).items[0]!;
  await alex.getByLabel("Source pod (namespace/name)").fill(`${pod.namespace}/${pod.name}`);
  await alex.getByLabel("Destination IP").fill("203.0.113.9");
  await alex.getByRole("button", { name: "Evaluate" }).click();
  await expect(alex.getByTestId("verdict")).toHaveText("DENY");
  await expect(alex.getByTestId("draft-verdict")).toHaveText("ALLOW");
  await expect(alex.getByTestId("draft-verdict-change")).toContainText("Your draft changes the verdict: DENY → ALLOW");
  await expect(alex.getByTestId("trace-egress")).toContainText("deny-threat-range");
  await alex.screenshot({ path: "test-results/screens/policy-tester-draft.png", fullPage: true });
});
