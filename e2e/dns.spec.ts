import { expect, test } from "@playwright/test";
import { register, reportStatus } from "../agents/console/client";
import { ADMIN, signIn } from "./helpers";

const DNS_YAML = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: payments-to-psp
  namespace: payments
spec:
  order: 100
  selector: all()
  types: [Egress]
  egress:
    - action: Allow
      protocol: TCP
      destination:
        domains: ["*.stripe.com", "api.adyen.com"]
        ports: [443]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: saas
  labels: {kind: saas}
spec:
  allowedEgressDomains: ["*.s3.amazonaws.com"]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: data-to-saas
spec:
  order: 200
  namespaceSelector: team == "data"
  types: [Egress]
  egress:
    - action: Allow
      destination:
        selector: kind == "saas"
`;

test("the DNS page lists domain rules with the pods they grant and the addresses agents learned", async ({ page, playwright, baseURL }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  const origin = new URL(page.url()).origin;
  await page.request.post("/api/v1/users", { headers: { origin }, data: { username: "dora", displayName: "Dora", password: "dora-password-123", roles: ["viewer", "approver"] } });
  const open = await page.request.post("/api/v1/clusters/demo/changes", { headers: { origin }, data: { title: "Payments may reach their PSPs", yaml: DNS_YAML } });
  expect(open.status()).toBe(201);
  const { id } = (await open.json()) as { id: string };
  expect((await page.request.post(`/api/v1/changes/${id}/submit`, { headers: { origin } })).status()).toBe(200);
  const dora = await playwright.request.newContext({ baseURL });
  expect((await dora.post("/api/v1/auth/login", { headers: { origin }, data: { username: "dora", password: "dora-password-123" } })).status()).toBe(200);
  expect((await dora.post(`/api/v1/changes/${id}/review`, { headers: { origin }, data: { decision: "approve" } })).status()).toBe(200);
  expect((await dora.post(`/api/v1/changes/${id}/publish`, { headers: { origin } })).status()).toBe(200);
  await dora.dispose();

  const { token } = (await (await page.request.post("/api/v1/clusters/demo/bootstrap-tokens", { headers: { origin }, data: { oneTime: true } })).json()) as { token: string };
  const { credential } = await register(baseURL!, token, { cluster: "demo", nodeName: "node-dns", version: "0.1.0-test" });
  const expiresAt = new Date(Date.now() + 600_000).toISOString();
  await reportStatus(baseURL!, credential, {
    appliedRevision: null,
    bundleSha256: null,
    lastError: null,
    dns: {
      learned: [
        { set: "r-1", name: "api.stripe.com", ip: "54.187.174.169", family: 4, expiresAt },
        ...Array.from({ length: 60 }, (_, i) => ({ set: "r-1", name: `files-${String(i).padStart(2, "0")}.stripe.com`, ip: `54.187.175.${i + 1}`, family: 4, expiresAt })),
      ],
      learnedTotal: 61,
    },
  });

  await page.getByRole("link", { name: "DNS policy" }).click();
  const rule = page.getByTestId("dns-rule-payments/payments-to-psp");
  await expect(rule).toContainText("*.stripe.com, api.adyen.com");
  await expect(rule).toContainText("grants 21 pods");
  const set = page.getByTestId("dns-set-saas");
  await expect(set).toContainText("*.s3.amazonaws.com");
  await expect(set).toContainText("GlobalNetworkPolicy data-to-saas");
  await expect(set).toContainText("grants 45 pods");
  const learned = page.getByRole("table", { name: "Learned addresses" });
  await expect(learned).toContainText("54.187.174.169");
  // Learned entries are paginated and filtered on the server.
  await expect(page.getByText("61 entries · page 1 of 2")).toBeVisible();
  await expect(learned).not.toContainText("files-59.stripe.com");
  await page.getByRole("search", { name: "Filter learned addresses" }).getByLabel("Filter").fill("files-59");
  await expect(learned).toContainText("54.187.175.60");
  await expect(learned).not.toContainText("api.stripe.com");

  // The pattern checker applies the engine's own rules.
  await expect(page.getByTestId("pattern-match-www.example.com")).toContainText("matches");
  await expect(page.getByTestId("pattern-match-a.b.example.com")).toContainText("matches");
  await expect(page.getByTestId("pattern-match-example.com")).toContainText("no match");
  await page.getByLabel("Pattern", { exact: true }).fill("www.example.*");
  await expect(page.getByText(/trailing wildcard/)).toBeVisible();
  await page.screenshot({ path: "test-results/screens/dns.png", fullPage: true });
});
