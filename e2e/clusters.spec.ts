import { expect, test, type APIRequestContext } from "@playwright/test";
import { register, reportStatus } from "../agents/console/client";
import { verifyBundle } from "../server/policy/bundle";
import { ADMIN, signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

/** A test agent: registers with the bootstrap token, long-polls, verifies the signature, reports. */
class TestAgent {
  credential = "";
  applied: number | null = null;
  constructor(
    readonly baseURL: string,
    readonly node: string,
  ) {}
  async register(token: string) {
    this.credential = (await register(this.baseURL, token, { cluster: "demo", nodeName: this.node, version: "0.1.0-test" })).credential;
    await reportStatus(this.baseURL, this.credential, { appliedRevision: null, bundleSha256: null, lastError: null, rules: 0, sets: 0 });
  }
  async pollAndApply(publicKey: string) {
    const res = await fetch(`${this.baseURL}/api/v1/agent/bundles?cluster=demo&after=${this.applied ?? 0}&wait=20`, {
      headers: { authorization: `Bearer ${this.credential}` },
    });
    expect(res.status).toBe(200);
    const signed = (await res.json()) as { sha256: string };
    const payload = verifyBundle(signed, publicKey, { cluster: "demo", minRevision: this.applied ?? 0 });
    this.applied = payload.revision;
    await reportStatus(this.baseURL, this.credential, { appliedRevision: payload.revision, bundleSha256: signed.sha256, lastError: null, rules: 2 * payload.resources.length, sets: payload.resources.length });
  }
}

async function login(request: APIRequestContext, origin: string, username: string, password: string) {
  const res = await request.post("/api/v1/auth/login", { headers: { origin }, data: { username, password } });
  expect(res.status()).toBe(200);
}

test("the Clusters page shows each agent's applied revision turning current after a publish", async ({ page, playwright, baseURL }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  const origin = new URL(page.url()).origin;

  // Install: a reusable bootstrap token and the manifests, from the cluster page.
  await page.goto("/clusters");
  await page.getByRole("link", { name: "Demo cluster" }).click();
  await page.getByRole("button", { name: "Install agents" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Create token and manifests" }).click();
  const manifest = await page.getByTestId("install-manifest").textContent();
  const token = /pcb_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{40}/.exec(manifest ?? "")?.[0];
  expect(token, "the manifest carries the bootstrap token").toBeTruthy();
  expect(manifest).toContain("kind: DaemonSet");
  await page.getByRole("button", { name: "Done" }).click();

  const key = (await (await page.request.get("/api/v1/signing-key")).json()) as { publicKey: string };
  const { publishedRevision } = (await (await page.request.get("/api/v1/clusters/demo")).json()) as { publishedRevision: number };
  const agents = [new TestAgent(baseURL!, "node-a"), new TestAgent(baseURL!, "node-b")];
  for (const a of agents) {
    await a.register(token!);
    // A new agent first applies whatever is published already.
    if (publishedRevision > 0) await a.pollAndApply(key.publicKey);
  }
  await expect(page.getByTestId("agent-revision-node-a")).toContainText("current", { timeout: 10_000 });
  await expect(page.getByTestId("agent-revision-node-b")).toContainText("current");

  // Publish revision 1: the admin proposes, a second approver approves and publishes.
  await page.request.post("/api/v1/users", { headers: { origin }, data: { username: "olu", displayName: "Olu", password: "olu-password-123", roles: ["viewer", "approver"] } });
  const open = await page.request.post("/api/v1/clusters/demo/changes", {
    headers: { origin },
    data: { title: "Allow DNS egress", yaml: "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: resolvers\n  labels: {role: dns}\nspec:\n  nets: [10.96.0.10/32]\n" },
  });
  expect(open.status()).toBe(201);
  const { id } = (await open.json()) as { id: string };
  expect((await page.request.post(`/api/v1/changes/${id}/submit`, { headers: { origin } })).status()).toBe(200);
  const olu = await playwright.request.newContext({ baseURL });
  await login(olu, origin, "olu", "olu-password-123");
  expect((await olu.post(`/api/v1/changes/${id}/review`, { headers: { origin }, data: { decision: "approve" } })).status()).toBe(200);
  expect((await olu.post(`/api/v1/changes/${id}/publish`, { headers: { origin } })).status()).toBe(200);

  await expect(page.getByTestId("agent-revision-node-a")).toContainText("1 behind", { timeout: 10_000 });
  await expect(page.getByTestId("agent-revision-node-b")).toContainText("1 behind");
  await page.screenshot({ path: "test-results/screens/cluster-behind.png", fullPage: true });
  // The agents list is filtered on the server: only node-a matches the name filter, none is current.
  await page.getByRole("textbox", { name: "Node" }).fill("node-a");
  await expect(page.getByTestId("agent-row-node-b")).toHaveCount(0);
  await expect(page.getByTestId("agent-row-node-a")).toBeVisible();
  await page.getByRole("combobox", { name: /^Status/ }).selectOption("current");
  await expect(page.getByText("No agent matches these filters.")).toBeVisible();
  await page.getByRole("combobox", { name: /^Status/ }).selectOption("all");
  await page.getByRole("textbox", { name: "Node" }).fill("");

  for (const a of agents) await a.pollAndApply(key.publicKey);
  await expect(page.getByTestId("agent-revision-node-a")).toContainText(`current · r${publishedRevision + 1}`, { timeout: 10_000 });
  await expect(page.getByTestId("agent-revision-node-b")).toContainText(`current · r${publishedRevision + 1}`);
  await page.screenshot({ path: "test-results/screens/cluster-current.png", fullPage: true });
  await olu.dispose();
});
