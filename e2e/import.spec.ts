import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { ADMIN, signIn } from "./helpers";

/** Four documents; the third (from line 21) has a broken selector on line 27. */
const FILE = `# exported from another cluster
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: import-partners
  labels:
    partner: bank
spec:
  nets:
    - 203.0.113.0/24
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: import-deny-all
  namespace: shop-catalog
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: import-broken
  namespace: shop-catalog
spec:
  selector: app == catalog"
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: import-threats
  labels:
    feed: threats
spec:
  nets: [198.51.100.0/24]
`;

const PUBLISHED = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: export-a, labels: {team: export}}
spec: {nets: [192.0.2.0/26]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: export-b, labels: {team: export}}
spec: {nets: [192.0.2.64/26]}
`;

test("imports a YAML file: every document previewed with its action or its error and line; the valid ones go into the draft; a hand-picked selection exports", async ({ page, playwright, baseURL }) => {
  test.setTimeout(120_000);
  await signIn(page, ADMIN.username, ADMIN.password);
  const origin = new URL(page.url()).origin;
  const res = await page.request.post("/api/v1/users", { headers: { origin }, data: { username: "ivy", displayName: "Ivy", password: "ivy-password-123", roles: ["viewer", "approver"] } });
  expect(res.status()).toBe(201);
  // Two sets to export, published by the admin and approved by ivy.
  const open = await page.request.post("/api/v1/clusters/demo/changes", { headers: { origin }, data: { title: "Sets to export", yaml: PUBLISHED } });
  const { id } = (await open.json()) as { id: string };
  expect((await page.request.post(`/api/v1/changes/${id}/submit`, { headers: { origin } })).status()).toBe(200);
  const ivy = await playwright.request.newContext({ baseURL });
  expect((await ivy.post("/api/v1/auth/login", { headers: { origin }, data: { username: "ivy", password: "ivy-password-123" } })).status()).toBe(200);
  expect((await ivy.post(`/api/v1/changes/${id}/review`, { headers: { origin }, data: { decision: "approve" } })).status()).toBe(200);
  expect((await ivy.post(`/api/v1/changes/${id}/publish`, { headers: { origin } })).status()).toBe(200);
  await ivy.dispose();

  await page.getByRole("link", { name: "Import / export" }).click();
  await expect(page.getByRole("heading", { name: "Import / export" })).toBeVisible();
  await page.getByLabel("Upload YAML file").setInputFiles({ name: "partner-policies.yaml", mimeType: "application/yaml", buffer: Buffer.from(FILE) });
  await expect(page.getByLabel("Resources (multi-document YAML)")).toHaveValue(FILE);
  await page.getByRole("button", { name: "Preview" }).click();

  const preview = page.getByTestId("import-preview");
  await expect(page.getByTestId("import-summary")).toContainText("4 documents");
  await expect(page.getByTestId("import-summary")).toContainText("3 to create");
  await expect(page.getByTestId("import-summary")).toContainText("1 with errors");
  const broken = preview.getByTestId("import-doc-3");
  await expect(broken).toContainText("import-broken");
  await expect(broken).toContainText("error");
  await expect(broken).toContainText("21");
  await expect(broken).toContainText("line 27: spec.selector");
  const k8s = preview.getByTestId("import-doc-2");
  await expect(k8s).toContainText("create");
  await expect(k8s).toContainText("shop-catalog/knp.default.import-deny-all");
  await expect(k8s).toContainText("from networking.k8s.io/v1 NetworkPolicy");
  await expect(preview.getByTestId("import-doc-1")).toContainText("create");
  await expect(preview.getByTestId("import-doc-4")).toContainText("import-threats");
  await k8s.getByRole("button", { name: "Show YAML" }).click();
  await expect(preview.getByText("name: knp.default.import-deny-all")).toBeVisible();
  await page.screenshot({ path: "test-results/screens/import-preview.png", fullPage: true });

  // Nothing is imported while a document is broken, unless the valid ones are imported on their own.
  const importButton = page.getByRole("button", { name: "Import 3 resources into my draft" });
  await expect(importButton).toBeDisabled();
  await page.getByLabel("Skip the 1 document with errors and import only the valid ones").check();
  await importButton.click();
  const saved = page.getByTestId("saved-to-draft");
  await expect(saved).toContainText("3 imported resources are in your draft");
  // Previewed again: the imported ones are now the same as the draft.
  await expect(page.getByTestId("import-summary")).toContainText("3 unchanged");
  await expect(preview.getByTestId("import-doc-1")).toContainText("Same as your draft");

  // Export a hand-picked selection of the published resources.
  await page.getByLabel("Kind").selectOption("GlobalNetworkSet");
  await page.getByLabel("Name contains").fill("export-");
  await expect(page.getByTestId("resource-GlobalNetworkSet//export-b")).toBeVisible();
  await page.getByLabel("Select GlobalNetworkSet export-b").check();
  await expect(page.getByTestId("export-selected")).toHaveText("Export selected (1)");
  await page.screenshot({ path: "test-results/screens/export-selection.png", fullPage: true });
  await page.setViewportSize({ width: 1024, height: 800 });
  await page.screenshot({ path: "test-results/screens/import-export-1024.png", fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-selected").click()]);
  const exported = readFileSync((await download.path())!, "utf8");
  expect(exported).toContain("1 selected resource(s)");
  expect(exported).toContain("name: export-b");
  expect(exported).not.toContain("export-a");

  // The draft holds the three imported resources.
  await saved.getByRole("link").click();
  await expect(page.getByTestId("change-item-GlobalNetworkSet-import-partners")).toBeVisible();
  await expect(page.getByTestId("change-item-NetworkPolicy-knp.default.import-deny-all")).toBeVisible();
  await expect(page.getByTestId("change-item-GlobalNetworkSet-import-threats")).toBeVisible();
  await expect(page.getByTestId("change-item-NetworkPolicy-import-broken")).toHaveCount(0);
});
