import { expect, test } from "@playwright/test";
import { ADMIN, signIn, signOut } from "./helpers";

test.describe.configure({ mode: "serial" });

test("a wrong password shows an error and no session", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill("definitely-not-it");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The username or password is incorrect" })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  const me = await page.request.get("/api/v1/me", { headers: { "x-request-id": "e2e-trace-1" } });
  expect(me.status()).toBe(401);
  expect(me.headers()["x-request-id"]).toBe("e2e-trace-1");
  expect(((await me.json()) as { requestId: string }).requestId).toBe("e2e-trace-1");
  // Every response carries a request id: health checks and pages too.
  for (const path of ["/api/health", "/api/ready", "/login"]) {
    const res = await page.request.get(path);
    expect(res.headers()["x-request-id"], path).toMatch(/^[0-9a-f-]{36}$/);
  }
});

test("the admin signs in and sees the demo cluster's real counts", async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  const totals = page.getByLabel("Totals");
  await expect(totals.getByText("Namespaces")).toBeVisible();
  const row = page.getByTestId("cluster-row-demo");
  await expect(row).toContainText("Demo cluster");
  await expect(row).toContainText("12");
  await expect(row).toContainText("182");
  await page.screenshot({ path: "test-results/screens/dashboard.png", fullPage: true });
});

test("admin creates a user who cannot reach admin pages or APIs, and sign-out works", async ({ page, browser }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("link", { name: /Users and roles/ }).click();
  await expect(page.getByRole("heading", { name: "Users and roles" })).toBeVisible();
  await page.getByRole("button", { name: "New user" }).click();
  const dialog = page.getByRole("dialog", { name: "New user" });
  await dialog.getByLabel("Username").fill("dana");
  await dialog.getByLabel("Display name").fill("Dana Reviewer");
  await dialog.getByLabel("Initial password").fill("short");
  await dialog.getByRole("button", { name: "Create user" }).click();
  await expect(dialog.getByText("must be at least 12 characters")).toBeVisible();
  await dialog.getByLabel("Initial password").fill("dana-password-123");
  await dialog.getByLabel(/^approver/).check();
  await dialog.getByRole("button", { name: "Create user" }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByTestId("user-row-dana");
  await expect(row).toContainText("approver");
  await expect(row).toContainText("viewer");
  await page.screenshot({ path: "test-results/screens/users.png", fullPage: true });

  const ctx = await browser.newContext();
  const dana = await ctx.newPage();
  await signIn(dana, "dana", "dana-password-123");
  await expect(dana.getByRole("link", { name: "Audit" })).toHaveCount(0);
  await dana.goto("/settings/users");
  await expect(dana.getByRole("alert").filter({ hasText: "You do not have access to this page" })).toBeVisible();
  await expect(dana.getByTestId("user-row-admin")).toHaveCount(0);
  const list = await dana.request.get("/api/v1/users");
  expect(list.status()).toBe(403);
  const create = await dana.request.post("/api/v1/users", {
    headers: { origin: new URL(dana.url()).origin },
    data: { username: "mallory", displayName: "M", password: "mallory-password-1", roles: ["admin"] },
  });
  expect(create.status()).toBe(403);
  expect((await create.json()).code).toBe("forbidden");

  await signOut(dana);
  const after = await dana.request.get("/api/v1/me");
  expect(after.status()).toBe(401);
  await dana.goto("/");
  await expect(dana).toHaveURL(/\/login/);
  await ctx.close();
});

test("the console works at a narrow laptop width with keyboard navigation", async ({ page }) => {
  await page.setViewportSize({ width: 900, height: 700 });
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole("button", { name: "Menu", exact: true }).click();
  await page.locator("#mobile-nav").getByRole("link", { name: "Clusters" }).click();
  await expect(page.getByRole("heading", { name: "Clusters" })).toBeVisible();
  // From a fresh page load, the first Tab reaches the skip link.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Clusters" })).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.screenshot({ path: "test-results/screens/narrow-clusters.png", fullPage: true });
});
