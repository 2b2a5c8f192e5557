import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import canonicalize from "canonicalize";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ADMIN, signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

const POLICY_YAML = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: threat-feed
  labels:
    feed: threats
spec:
  nets:
    - 198.51.100.0/24
    - 203.0.113.7
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: block-threats
spec:
  order: 10
  selector: all()
  types: [Egress]
  egress:
    - action: Deny
      destination:
        selector: feed == "threats"
    - action: Pass
`;

async function asUser(browser: Browser, username: string, password: string): Promise<Page> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, username, password);
  return page;
}

test("four-eyes: an author proposes, cannot approve their own change, an approver publishes; the audit trail exports and verifies", async ({ page, browser }) => {
  test.setTimeout(120_000);
  await signIn(page, ADMIN.username, ADMIN.password);
  const origin = new URL(page.url()).origin;
  for (const [username, roles] of [["alex", ["viewer", "author", "approver"]], ["priya", ["viewer", "approver"]]] as const) {
    const res = await page.request.post("/api/v1/users", {
      headers: { origin },
      data: { username, displayName: username, password: `${username}-password-1`, roles },
    });
    expect(res.status()).toBe(201);
  }

  // The author drafts and submits.
  const alex = await asUser(browser, "alex", "alex-password-1");
  await alex.getByRole("link", { name: "Changes" }).click();
  await alex.getByRole("button", { name: "New change request" }).click();
  const dialog = alex.getByRole("dialog", { name: "New change request" });
  await dialog.getByLabel("Title").fill("Block the threat feed");
  await dialog.getByLabel("Resources (YAML)").fill(POLICY_YAML);
  await dialog.getByRole("button", { name: "Create draft" }).click();
  await expect(alex).toHaveURL(/\/changes\/[0-9a-f-]{36}$/);
  const changeUrl = alex.url();
  const changeId = changeUrl.split("/").pop()!;
  await expect(alex.getByTestId("change-item-GlobalNetworkPolicy-block-threats")).toBeVisible();
  await expect(alex.getByTestId("change-item-GlobalNetworkSet-threat-feed")).toBeVisible();
  await expect(alex.getByTestId("change-state")).toHaveText("draft");
  await alex.getByRole("button", { name: "Submit for review" }).click();
  await expect(alex.getByTestId("change-state")).toHaveText("submitted");
  await alex.screenshot({ path: "test-results/screens/change-submitted.png", fullPage: true });

  // Holding the approver role does not let the author approve their own change.
  await expect(alex.getByRole("button", { name: "Approve" })).toHaveCount(0);
  const selfApprove = await alex.request.post(`/api/v1/changes/${changeId}/review`, { headers: { origin }, data: { decision: "approve" } });
  expect(selfApprove.status()).toBe(403);

  // Someone else approves and publishes.
  const priya = await asUser(browser, "priya", "priya-password-1");
  await priya.goto(changeUrl);
  await priya.getByRole("button", { name: "Approve" }).click();
  const review = priya.getByRole("dialog");
  await review.getByLabel("Review comment").fill("Looks right: deny before pass.");
  await review.getByRole("button", { name: /Approve/ }).click();
  await expect(priya.getByTestId("change-state")).toHaveText("approved");
  await priya.getByRole("button", { name: "Publish" }).click();
  await expect(priya.getByTestId("change-state")).toHaveText("published");

  // The revision appears with its diff.
  await priya.getByRole("link", { name: "Changes" }).click();
  const rev = priya.getByTestId("revision-row-1");
  await expect(rev).toContainText("priya");
  await rev.getByRole("link").first().click();
  await expect(priya.getByTestId("revision-change-GlobalNetworkPolicy-block-threats")).toBeVisible();
  await expect(priya.getByLabel("Diff of GlobalNetworkPolicy block-threats")).toContainText("name: block-threats");
  await priya.screenshot({ path: "test-results/screens/revision.png", fullPage: true });

  // The policy board shows the published policy in its tier with the pods it selects.
  await priya.getByRole("link", { name: "Policies" }).click();
  const row = priya.getByTestId("board-policy-block-threats");
  await expect(row).toContainText("global");
  await expect(row).toContainText("all()");
  await expect(row).toContainText("182");
  await priya.screenshot({ path: "test-results/screens/policy-board.png", fullPage: true });

  // The tester: egress from any pod to an address in the threat feed is denied by the new policy.
  await priya.getByRole("link", { name: "Test a flow" }).click();
  const src = await priya.request.get("/api/v1/clusters/demo/pods?namespace=shop-frontend&pageSize=1");
  const pod = ((await src.json()) as { items: Array<{ namespace: string; name: string }> }).items[0]!;
  await priya.getByLabel("Source pod (namespace/name)").fill(`${pod.namespace}/${pod.name}`);
  await priya.getByLabel("Destination IP").fill("203.0.113.7");
  await priya.getByRole("button", { name: "Evaluate" }).click();
  await expect(priya.getByTestId("verdict")).toHaveText("DENY");
  await expect(priya.getByTestId("trace-egress")).toContainText("block-threats");
  await priya.getByLabel("Destination IP").fill("192.0.2.80");
  await priya.getByRole("button", { name: "Evaluate" }).click();
  await expect(priya.getByTestId("verdict")).toHaveText("ALLOW");
  await priya.screenshot({ path: "test-results/screens/policy-tester.png", fullPage: true });

  // The published state exports as YAML, and a pod's details list the policies selecting it.
  await priya.getByRole("link", { name: "Policies" }).click();
  const [yaml] = await Promise.all([priya.waitForEvent("download"), priya.getByRole("link", { name: "Export YAML" }).click()]);
  const exported = readFileSync((await yaml.path())!, "utf8");
  expect(exported).toContain("kind: GlobalNetworkPolicy");
  expect(exported).toContain("name: block-threats");
  await priya.getByRole("link", { name: "Inventory" }).click();
  await priya.getByLabel("Namespace").selectOption("shop-frontend");
  await priya.getByRole("button", { name: pod.name }).click();
  const selecting = priya.getByTestId("pod-policies");
  await expect(selecting).toContainText("GlobalNetworkPolicy block-threats");
  await expect(selecting).toContainText("No policy selects it");
  await priya.screenshot({ path: "test-results/screens/pod-policies.png", fullPage: true });

  // The audit page shows each step, and an export verifies against the chain.
  await page.getByRole("link", { name: "Audit" }).click();
  const rows = page.getByRole("table", { name: "Audit rows" });
  for (const action of ["change.open", "change.submit", "change.approve", "change.publish"]) {
    await expect(rows.getByText(action, { exact: true }).first()).toBeVisible();
  }
  await page.screenshot({ path: "test-results/screens/audit.png", fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-ndjson").click()]);
  const text = readFileSync((await download.path())!, "utf8").trim().split("\n");
  const trailer = JSON.parse(text.pop()!) as { trailer: true; rows: number; lastHash: string };
  expect(trailer.trailer).toBe(true);
  expect(trailer.rows).toBe(text.length);
  let prev: string | null = null;
  for (const line of text) {
    const row = JSON.parse(line) as Record<string, unknown> & { hash: string; prevHash: string };
    const { hash, ...content } = row;
    expect(createHash("sha256").update(canonicalize(content)!).digest("hex")).toBe(hash);
    if (prev !== null) expect(row.prevHash).toBe(prev);
    prev = hash;
  }
  expect(prev).toBe(trailer.lastHash);
  const verify = await page.request.post("/api/v1/audit/verify", { headers: { origin } });
  expect(((await verify.json()) as { ok: boolean }).ok).toBe(true);
});
