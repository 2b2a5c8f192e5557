import { expect, test, type APIRequestContext } from "@playwright/test";
import { ADMIN, signIn } from "./helpers";

const suffix = Math.random().toString(36).slice(2, 7);
const SET = `partners-${suffix}`;
const setYaml = (nets: string[]) => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: ${SET}
  labels: {feed: partners-${suffix}}
spec:
  nets: [${nets.join(", ")}]
`;

/** Publishes `yaml` as the admin, approved and published by `approver`. */
async function publish(admin: APIRequestContext, approver: APIRequestContext, origin: string, yaml: string) {
  const open = await admin.post("/api/v1/clusters/demo/changes", { headers: { origin }, data: { title: `Publish ${SET}`, yaml } });
  expect(open.status(), await open.text()).toBe(201);
  const { id } = (await open.json()) as { id: string };
  expect((await admin.post(`/api/v1/changes/${id}/submit`, { headers: { origin } })).status()).toBe(200);
  expect((await approver.post(`/api/v1/changes/${id}/review`, { headers: { origin }, data: { decision: "approve" } })).status()).toBe(200);
  expect((await approver.post(`/api/v1/changes/${id}/publish`, { headers: { origin } })).status()).toBe(200);
}

test("an author edits a published network set into their draft; a conflicting publish is reported with a reload", async ({ page, browser, playwright, baseURL }) => {
  test.setTimeout(120_000);
  await signIn(page, ADMIN.username, ADMIN.password);
  const origin = new URL(page.url()).origin;
  const author = { username: `set-author-${suffix}`, password: "set-author-password-1" };
  const approver = { username: `set-approver-${suffix}`, password: "set-approver-password-1" };
  for (const [u, roles] of [[author, ["viewer", "author"]], [approver, ["viewer", "approver"]]] as const) {
    expect((await page.request.post("/api/v1/users", { headers: { origin }, data: { ...u, displayName: u.username, roles } })).status()).toBe(201);
  }
  const approverApi = await playwright.request.newContext({ baseURL });
  expect((await approverApi.post("/api/v1/auth/login", { headers: { origin }, data: approver })).status()).toBe(200);
  await publish(page.request, approverApi, origin, setYaml(["198.51.100.0/24", "203.0.113.7"]));

  const ctx = await browser.newContext();
  const alex = await ctx.newPage();
  await signIn(alex, author.username, author.password);
  await alex.getByRole("link", { name: "Network sets" }).click();
  // Server-side filters: by label, then by text.
  await alex.getByLabel("Label").fill(`feed=partners-${suffix}`);
  await expect(alex.locator('[data-testid^="netset-row-"]')).toHaveCount(1);
  await expect(alex.getByTestId("netset-summary")).toContainText("1 of");
  await alex.getByLabel("Label").fill("");
  await alex.getByLabel("Search").fill(SET);
  const row = alex.getByTestId(`netset-row-${SET}`);
  await expect(row).toContainText("198.51.100.0/24");

  await row.getByRole("button", { name: `Edit ${SET}` }).click();
  const dialog = alex.getByRole("dialog", { name: "Edit network set" });
  const list = dialog.getByLabel("CIDR list", { exact: true });
  await expect(list).toHaveValue("198.51.100.0/24\n203.0.113.7");
  await expect(dialog.getByLabel("Labels")).toHaveValue(`feed=partners-${suffix}`);
  await expect(dialog.getByLabel("Name", { exact: true })).toHaveAttribute("readonly", "");
  await dialog.getByLabel("Labels").fill(`feed=partners-${suffix} tier=gold`);
  await list.fill("198.51.100.0/24\n203.0.113.7\n192.0.2.0/24");

  // Meanwhile someone else publishes a change to the same set.
  await publish(page.request, approverApi, origin, setYaml(["198.51.100.0/24", "203.0.113.7", "10.0.0.0/8"]));
  await dialog.getByRole("button", { name: "Save to draft" }).click();
  await expect(dialog.getByRole("alert").first()).toContainText("since you opened it");
  await dialog.getByRole("button", { name: "Reload the latest version" }).click();
  await expect(list).toHaveValue("198.51.100.0/24\n203.0.113.7\n10.0.0.0/8");
  await list.fill("198.51.100.0/24\n203.0.113.7\n10.0.0.0/8\n192.0.2.0/24");
  await dialog.getByLabel("Labels").fill(`feed=partners-${suffix} tier=gold`);
  await dialog.getByRole("button", { name: "Save to draft" }).click();
  await expect(alex).toHaveURL(/\/changes\/[0-9a-f-]{36}$/);
  await expect(alex.getByTestId(`change-item-GlobalNetworkSet-${SET}`)).toBeVisible();
  await expect(alex.getByTestId("change-state")).toHaveText("draft");

  // The draft holds one update on version 2, entries kept as written (no /32 rewrite).
  const draft = (await (await alex.request.get("/api/v1/clusters/demo/draft")).json()) as { draft: { items: Array<{ op: string; name: string; baseVersion: number; document: { metadata: { labels: Record<string, string> }; spec: { nets: string[] } } }> } };
  const item = draft.draft.items.find((i) => i.name === SET)!;
  expect([item.op, item.baseVersion]).toEqual(["update", 2]);
  expect(item.document.spec.nets).toEqual(["198.51.100.0/24", "203.0.113.7", "10.0.0.0/8", "192.0.2.0/24"]);
  expect(item.document.metadata.labels).toEqual({ feed: `partners-${suffix}`, tier: "gold" });

  // Editing again starts from the drafted version and adds to the same draft.
  await alex.getByRole("link", { name: "Network sets" }).click();
  await expect(alex.getByTestId("draft-banner")).toContainText("in your draft — open change request");
  await alex.getByLabel("Search").fill(SET);
  await alex.getByTestId(`netset-row-${SET}`).getByRole("button", { name: `Edit ${SET}` }).click();
  await expect(alex.getByRole("dialog", { name: "Edit network set" }).getByLabel("Labels")).toHaveValue(`feed=partners-${suffix} tier=gold`);
  await alex.screenshot({ path: "test-results/screens/network-set-edit.png", fullPage: true });
  await approverApi.dispose();
  await ctx.close();
});
