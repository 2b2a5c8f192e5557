import { mkdirSync } from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN, signIn } from "./helpers";

/**
 * The visual policy editor, end to end on the demo cluster: an author writes a NetworkPolicy
 * entirely with the form (one egress rule with a domain, one with a picked network set, one with
 * a CIDR), watches the live preview while typing the selector, sees a syntax error marked, goes
 * to YAML and back without losing anything, saves to the draft and submits the change request.
 */

async function ok(res: Promise<import("@playwright/test").APIResponse>, status = 200) {
  const r = await res;
  expect(r.status(), await r.text()).toBe(status);
  return r.json() as Promise<Record<string, unknown>>;
}

/** Publishes YAML on the demo cluster the way people do: admin proposes, another user approves. */
async function publish(admin: Page, approver: APIRequestContext, origin: string, title: string, yaml: string): Promise<void> {
  const opened = await ok(admin.request.post("/api/v1/clusters/demo/changes", { headers: { origin }, data: { title, yaml } }), 201);
  const id = opened.id as string;
  await ok(admin.request.post(`/api/v1/changes/${id}/submit`, { headers: { origin } }));
  await ok(approver.post(`/api/v1/changes/${id}/review`, { headers: { origin }, data: { decision: "approve" } }));
  await ok(approver.post(`/api/v1/changes/${id}/publish`, { headers: { origin } }));
}

test("an author writes a policy with the visual editor, previews selectors, round-trips YAML, saves to the draft and submits it", async ({ page, browser, playwright, baseURL }) => {
  test.setTimeout(180_000);
  const suffix = Math.random().toString(36).slice(2, 7);
  const setName = `pe-partners-${suffix}`;
  const policyName = `web-egress-${suffix}`;
  const author = { username: `pe-author-${suffix}`, password: "pe-author-password-1" };
  const approver = { username: `pe-approver-${suffix}`, password: "pe-approver-password-1" };

  // Setup: two users and a published GlobalNetworkSet the author will pick by name.
  await signIn(page, ADMIN.username, ADMIN.password);
  const origin = new URL(page.url()).origin;
  await ok(page.request.post("/api/v1/users", { headers: { origin }, data: { ...author, displayName: "Editor author", roles: ["viewer", "author"] } }), 201);
  await ok(page.request.post("/api/v1/users", { headers: { origin }, data: { ...approver, displayName: "Editor approver", roles: ["viewer", "approver"] } }), 201);
  const approverApi = await playwright.request.newContext({ baseURL });
  await ok(approverApi.post("/api/v1/auth/login", { headers: { origin }, data: approver }));
  await publish(
    page,
    approverApi,
    origin,
    "Partner ranges for the editor test",
    `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: ${setName}\n  labels:\n    feed: ${setName}\nspec:\n  nets: [192.0.2.0/24]\n`,
  );
  await approverApi.dispose();

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const ed = await ctx.newPage();
  await signIn(ed, author.username, author.password);
  await ed.goto("/policies/new?cluster=demo&namespace=shop-frontend");
  await expect(ed.getByRole("heading", { name: "New policy" })).toBeVisible();
  await expect(ed.getByTestId("inventory-status")).toContainText("Previews use the inventory of");

  // Metadata.
  await ed.getByLabel("Name", { exact: true }).fill(policyName);
  await expect(ed.getByLabel("Namespace", { exact: true })).toHaveValue("shop-frontend");
  await ed.getByLabel("Order").fill("100");

  // The selector: the preview counts pods of the policy's namespace while typing.
  const selector = ed.getByTestId("policy-selector");
  const input = selector.getByRole("combobox", { name: "Selector" });
  const count = ed.getByTestId("policy-selector-count");
  await expect(count).toHaveText("24 pods");
  await input.click();
  await input.pressSequentially("app == web");
  // A syntax error, marked where the parser stopped, and linked to the input.
  const error = ed.getByTestId("policy-selector-error");
  await expect(error).toContainText("invalid selector");
  await expect(error.getByTestId("selector-error-mark")).toHaveAttribute("data-position", "7");
  await expect(input).toHaveAttribute("aria-invalid", "true");
  const describedBy = (await input.getAttribute("aria-describedby"))!.split(" ");
  const errorId = await error.getAttribute("id");
  expect(describedBy).toContain(errorId);
  await expect(ed.getByTestId("policy-selector-preview")).toHaveAttribute("data-state", "invalid");
  mkdirSync("test-results/screens", { recursive: true });
  await input.evaluate((el) => el.scrollIntoView({ block: "start" }));
  await selector.screenshot({ path: "test-results/screens/policy-editor-selector-error.png" });
  // Fix it with the value autocomplete (keyboard only).
  await input.fill("");
  await input.pressSequentially("app == 'we");
  // Typing opens the list without choosing: Enter and Tab keep their meaning until an arrow key picks an option.
  const listbox = ed.getByRole("listbox", { name: "Selector: suggestions" });
  await expect(listbox).toBeVisible();
  await expect(listbox.getByRole("option").first()).toContainText("web");
  await expect(input).toHaveAttribute("aria-expanded", "true");
  await expect(input).not.toHaveAttribute("aria-activedescendant");
  await input.press("Escape");
  await expect(listbox).toBeHidden();
  await expect(input).toHaveAttribute("aria-expanded", "false");
  await input.press("ArrowDown"); // reopens
  await expect(listbox).toBeVisible();
  await input.press("ArrowDown"); // highlights the first option
  await input.evaluate((el) => el.scrollIntoView({ block: "start" }));
  const box = (await selector.boundingBox())!;
  await ed.screenshot({ path: "test-results/screens/policy-editor-autocomplete.png", clip: { x: box.x - 8, y: box.y - 8, width: box.width + 16, height: 420 } });
  const active = (await input.getAttribute("aria-activedescendant"))!;
  await expect(ed.locator(`[id="${active}"]`)).toHaveAttribute("aria-selected", "true");
  await expect(ed.locator(`[id="${active}"]`)).toContainText("web");
  await input.press("Enter");
  await expect(input).toHaveValue("app == 'web'");
  await expect(listbox).toBeHidden();
  await expect(count).toHaveText("12 pods");
  await expect(ed.getByTestId("policy-selector-pods")).toContainText("shop-frontend/web-");
  await expect(error).toHaveCount(0);

  await ed.getByRole("checkbox", { name: "Egress" }).check();

  // Egress rule 1: Allow TCP 443 to a domain, with examples from the engine's matcher.
  await ed.getByRole("button", { name: "Add egress rule" }).click();
  const r1 = ed.getByTestId("egress-rule-0");
  await r1.getByLabel("Protocol", { exact: true }).selectOption("TCP");
  await r1.getByLabel("Destination ports").fill("443");
  await r1.getByRole("button", { name: "Add domain" }).click();
  const domain = r1.getByLabel("Domain 1", { exact: true });
  await domain.fill("*.stripe.");
  await expect(r1.getByTestId("domain-check")).toContainText("trailing dot");
  await domain.fill("*.stripe.com");
  const examples = r1.getByTestId("domain-examples");
  await expect(examples).toContainText("a.stripe.com");
  await expect(examples).toContainText("b.c.stripe.com");
  await expect(examples).toContainText("not stripe.com");
  // Domains need Allow: the other actions are unavailable while the rule names domains.
  await expect(r1.getByLabel("Action").locator("option[value=Deny]")).toBeDisabled();

  // Egress rule 2: Allow to a network set picked by name.
  await ed.getByRole("button", { name: "Add egress rule" }).click();
  const r2 = ed.getByTestId("egress-rule-1");
  await r2.getByRole("button", { name: "Pick network sets…" }).first().click();
  const picker = ed.getByRole("dialog");
  await picker.getByLabel("Filter network sets").fill(setName);
  await picker.getByRole("checkbox", { name: new RegExp(setName) }).check();
  await picker.getByRole("button", { name: "Use this set" }).click();
  await expect(r2.getByRole("combobox", { name: "Destination selector" })).toHaveValue(`feed == "${setName}"`);
  await expect(r2.getByRole("combobox", { name: "Destination namespace selector" })).toHaveValue("global()");
  await expect(r2.getByTestId("egress-1-destination-selector-sets-count")).toHaveText("1 network set");
  await expect(r2.getByTestId("egress-1-destination-selector-sets")).toContainText(`global/${setName}`);

  // Egress rule 3: Deny to a CIDR; then it moves up and back with the keyboard.
  await ed.getByRole("button", { name: "Add egress rule" }).click();
  const r3 = ed.getByTestId("egress-rule-2");
  await r3.getByLabel("Action").selectOption("Deny");
  await r3.getByLabel("Destination nets").fill("198.51.100.0/24");
  await expect(r3.getByTestId("egress-2-destination-selector-preview")).toContainText("any address");
  await r3.getByRole("button", { name: "Move egress rule 3 up" }).focus();
  await ed.keyboard.press("Enter");
  await expect(ed.getByTestId("egress-rule-1").getByLabel("Action")).toHaveValue("Deny");
  await expect(ed.getByTestId("egress-rule-1").getByLabel("Destination nets")).toHaveValue("198.51.100.0/24");
  await expect(ed.getByRole("button", { name: "Move egress rule 2 up" })).toBeFocused();
  await ed.keyboard.press("Tab");
  await expect(ed.getByRole("button", { name: "Move egress rule 2 down" })).toBeFocused();
  await ed.keyboard.press("Enter");
  await expect(ed.getByTestId("egress-rule-2").getByLabel("Action")).toHaveValue("Deny");
  await expect(ed.getByTestId("issue-summary")).toHaveCount(0);

  await ed.screenshot({ path: "test-results/screens/policy-editor-1280.png", fullPage: true });
  await ed.setViewportSize({ width: 1024, height: 900 });
  await ed.screenshot({ path: "test-results/screens/policy-editor-1024.png", fullPage: true });
  await ed.setViewportSize({ width: 1280, height: 900 });

  // YAML: the same policy; fields the form does not model survive YAML -> form -> YAML.
  await ed.getByRole("tab", { name: "YAML" }).click();
  const yaml = ed.getByLabel("Policy YAML");
  const printed = await yaml.inputValue();
  for (const part of [`name: ${policyName}`, "namespace: shop-frontend", "order: 100", "selector: app == 'web'", "- Egress", '"*.stripe.com"', "- 443", `selector: feed == "${setName}"`, "namespaceSelector: global()", "- 198.51.100.0/24"]) {
    expect(printed).toContain(part);
  }
  expect(printed.indexOf('"*.stripe.com"')).toBeLessThan(printed.indexOf("global()"));
  expect(printed.indexOf("global()")).toBeLessThan(printed.indexOf("198.51.100.0/24"));
  const edited = printed
    .replace("  namespace: shop-frontend\n", "  namespace: shop-frontend\n  annotations:\n    owner: netops\n")
    .replace("    - action: Deny\n", "    - metadata:\n        annotations:\n          reason: threat feed\n      action: Deny\n");
  expect(edited).not.toBe(printed);
  await yaml.fill(edited);
  await expect(ed.getByTestId("yaml-issues")).toHaveCount(0);
  await ed.getByRole("tab", { name: "Form" }).click();
  await expect(ed.getByTestId("egress-rule-2")).toContainText("Also set (kept as is, edit in YAML): metadata");
  await expect(ed.getByTestId("egress-rule-2").getByLabel("Destination nets")).toHaveValue("198.51.100.0/24");
  await expect(count).toHaveText("12 pods");
  await ed.getByRole("tab", { name: "YAML" }).click();
  await expect(ed.getByLabel("Policy YAML")).toHaveValue(edited);
  // A YAML error is located; the form waits until it is fixed.
  await ed.getByLabel("Policy YAML").fill(edited.replace("order: 100", "order: [1"));
  await ed.getByRole("tab", { name: "Form" }).click();
  await expect(ed.getByRole("tab", { name: "YAML" })).toHaveAttribute("aria-selected", "true");
  await expect(ed.getByRole("alert").filter({ hasText: "The form opens again" })).toContainText("line");
  await ed.getByLabel("Policy YAML").fill(edited);
  await ed.getByRole("tab", { name: "Form" }).click();
  await expect(ed.getByRole("tab", { name: "Form" })).toHaveAttribute("aria-selected", "true");

  // Save to the draft (a new one, with a title).
  await ed.getByLabel("Change request title (optional)").fill(`Web egress ${suffix}`);
  await ed.getByRole("button", { name: "Save to draft" }).click();
  const link = ed.getByTestId("change-request-link");
  await expect(link).toBeVisible();
  await expect(ed.getByRole("status").filter({ hasText: "Saved to your draft" })).toContainText(`create NetworkPolicy shop-frontend/${policyName}`);
  const href = (await link.getAttribute("href"))!;
  expect(href).toMatch(/^\/changes\/[0-9a-f-]{36}$/);

  // The edit page starts from the drafted version.
  await ed.goto(`/policies/edit?cluster=demo&kind=NetworkPolicy&namespace=shop-frontend&name=${policyName}`);
  await expect(ed.getByText("You are editing the version in your draft change request")).toBeVisible();
  await expect(ed.getByTestId("egress-rule-2")).toContainText("Also set (kept as is, edit in YAML): metadata");
  await expect(ed.getByTestId("policy-selector-count")).toHaveText("12 pods");

  // Submit the change request from its page.
  await ed.goto(href);
  await expect(ed.getByTestId(`change-item-NetworkPolicy-${policyName}`)).toBeVisible();
  await expect(ed.getByTestId("change-state")).toHaveText("draft");
  await ed.getByRole("button", { name: "Submit for review" }).click();
  await expect(ed.getByTestId("change-state")).toHaveText("submitted");
  await ctx.close();
});

test("saving an edit of a policy someone else changed meanwhile is refused with a reload, never overwritten", async ({ page, playwright, baseURL }) => {
  test.setTimeout(120_000);
  const suffix = Math.random().toString(36).slice(2, 7);
  const name = `pe-conflict-${suffix}`;
  const approver = { username: `pe-approver2-${suffix}`, password: "pe-approver-password-2" };
  await signIn(page, ADMIN.username, ADMIN.password);
  const origin = new URL(page.url()).origin;
  await ok(page.request.post("/api/v1/users", { headers: { origin }, data: { ...approver, displayName: "Approver", roles: ["viewer", "approver"] } }), 201);
  const approverApi = await playwright.request.newContext({ baseURL });
  await ok(approverApi.post("/api/v1/auth/login", { headers: { origin }, data: approver }));
  // It selects no demo pod, so other specs' expectations about the demo cluster are unaffected.
  const policy = (order: number) => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n  order: ${order}\n  selector: app == "${name}"\n  types: [Ingress]\n`;
  await publish(page, approverApi, origin, "A policy to edit", policy(10));

  await page.goto(`/policies/edit?cluster=demo&kind=GlobalNetworkPolicy&name=${name}`);
  await expect(page.getByRole("heading", { name: `Edit GlobalNetworkPolicy ${name}` })).toBeVisible();
  await expect(page.getByLabel("Order")).toHaveValue("10");
  await expect(page.getByLabel("Name", { exact: true })).toHaveAttribute("readonly", "");

  // Meanwhile a new revision changes it.
  await publish(page, approverApi, origin, "Someone else's change", policy(20));
  await approverApi.dispose();

  await page.getByLabel("Order").fill("15");
  await page.getByRole("button", { name: "Save to draft" }).click();
  const alert = page.getByRole("alert").filter({ hasText: "Someone published a change" });
  await expect(alert).toContainText("since you opened it");
  await expect(alert).toContainText("Nothing was saved, and nothing was overwritten");
  await page.screenshot({ path: "test-results/screens/policy-editor-conflict.png" });
  await alert.getByRole("button", { name: "Reload the published version" }).click();
  await expect(page.getByLabel("Order")).toHaveValue("20");
  await page.getByLabel("Order").fill("15");
  await page.getByRole("button", { name: "Save to draft" }).click();
  await expect(page.getByTestId("change-request-link")).toBeVisible();

  // Creating a policy whose name is taken: the server's 422 lands on the Name field.
  await page.goto("/policies/new?cluster=demo&kind=GlobalNetworkPolicy");
  await expect(page.getByRole("radio", { name: "GlobalNetworkPolicy (cluster-wide)" })).toBeChecked();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Save to draft" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The server rejected the policy" })).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText(`GlobalNetworkPolicy ${name} already exists; change it with an update`, { exact: true })).toBeVisible();
  await expect(page.getByTestId("issue-summary")).toContainText("metadata.name");
});
