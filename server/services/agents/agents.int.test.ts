import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, testCtx } from "../../../test/db";
import { callRoute, discoverRoutes, userWithRoles, type DiscoveredRoute } from "../../../test/api";
import { actorFromSession } from "../../auth/session";
import type { Actor } from "../../auth/actor";
import { db } from "../../db";
import { verifyBundle } from "../../policy/bundle";
import { verifyAuditChain } from "../../audit/verify";
import { seedDatabase } from "../seed/seed-database";
import { openChangeRequest } from "../changes/open-change-request";
import { submitChangeRequest } from "../changes/submit-change-request";
import { reviewChangeRequest } from "../changes/review-change-request";
import { publishChangeRequest } from "../changes/publish-change-request";
import { ensureSigningKey } from "../signing/signing-key";

let database: Awaited<ReturnType<typeof freshDatabase>>;
let routes: DiscoveredRoute[];
let admin: { cookie: string };
let author: Actor;
let approver: Actor;

const r = (method: string, pattern: string) => routes.find((x) => x.method === method && x.pattern === pattern)!;

async function publishPolicy(name: string): Promise<number> {
  const yaml = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: ${name}\nspec:\n  nets: [192.0.2.0/24]\n`;
  const cr = await openChangeRequest(testCtx(author), "demo", { title: `Publish ${name}`, yaml });
  await submitChangeRequest(testCtx(author), cr.id);
  await reviewChangeRequest(testCtx(approver), cr.id, { decision: "approve" });
  await publishChangeRequest(testCtx(approver), cr.id);
  const cluster = await db().cluster.findUniqueOrThrow({ where: { name: "demo" } });
  return (await db().revision.findFirstOrThrow({ where: { clusterId: cluster.id }, orderBy: { number: "desc" } })).number;
}

async function bootstrap(body: Record<string, unknown> = {}): Promise<string> {
  const res = await callRoute({ ...r("POST", "/api/v1/clusters/[cluster]/bootstrap-tokens") }, { cookie: admin.cookie, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  const json = (await res.json()) as { token: string; manifest: string; publicKey: string };
  expect(json.manifest).toContain(`public-key: "${json.publicKey}"`);
  expect(json.manifest).toContain('value: "demo"');
  expect(json.manifest).toContain(json.token);
  return json.token;
}

async function register(token: string, node: string, cluster = "demo") {
  return callRoute(r("POST", "/api/v1/agent/register"), { bearer: token, origin: null, body: JSON.stringify({ cluster, nodeName: node, version: "0.1.0" }) });
}

beforeAll(async () => {
  database = await freshDatabase();
  await seedDatabase(database.client, { adminUsername: "root", adminPassword: "root-password-123", demo: true });
  await ensureSigningKey();
  routes = await discoverRoutes();
  admin = await userWithRoles(["admin", "viewer"]);
  author = (await actorFromSession((await userWithRoles(["author", "viewer"])).cookie))!;
  approver = (await actorFromSession((await userWithRoles(["approver", "viewer"])).cookie))!;
});
afterAll(async () => database.drop());

describe("agent registration", () => {
  it("exchanges a one-time bootstrap token for a credential exactly once", async () => {
    const token = await bootstrap({ oneTime: true });
    const first = await register(token, "node-a");
    expect(first.status).toBe(201);
    const { credential } = (await first.json()) as { credential: string };
    expect(credential).toMatch(/^pca_/);
    const stored = await db().agent.findFirstOrThrow({ where: { nodeName: "node-a" } });
    expect(stored.credentialHash).not.toContain(credential);
    const again = await register(token, "node-b");
    expect(again.status).toBe(401);
    expect((await db().auditEvent.findMany({ where: { action: "agent.register", outcome: "denied" } })).length).toBe(1);
  });

  it("refuses tokens for another cluster, expired tokens and junk; reusable tokens serve many nodes", async () => {
    const reusable = await bootstrap({ oneTime: false, expiresInHours: 1 });
    expect((await register(reusable, "node-c")).status).toBe(201);
    expect((await register(reusable, "node-d")).status).toBe(201);
    expect((await register(reusable, "node-e", "other-cluster")).status).toBe(401);
    await db().agentBootstrapToken.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await register(reusable, "node-f")).status).toBe(401);
    expect((await register("pcb_nonsense", "node-g")).status).toBe(401);
  });
});

describe("bundle delivery, status and inventory", () => {
  let credential: string;
  beforeAll(async () => {
    const res = await register(await bootstrap(), "node-x");
    credential = ((await res.json()) as { credential: string }).credential;
  });
  const bundles = (query: string) => callRoute({ ...r("GET", "/api/v1/agent/bundles"), pattern: `/api/v1/agent/bundles?${query}` }, { bearer: credential });

  it("answers 204 when nothing newer exists, and wakes a waiting poll as soon as a revision is published", async () => {
    const empty = await bundles("cluster=demo&after=0&wait=0");
    expect(empty.status).toBe(204);
    const waiting = bundles("cluster=demo&after=0&wait=20");
    await new Promise((res) => setTimeout(res, 300));
    const started = Date.now();
    const number = await publishPolicy("wake-1");
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(15_000);
    const signed = await res.json();
    const key = await ensureSigningKey();
    const payload = verifyBundle(signed, key.publicKeyHex, { cluster: "demo" });
    expect(payload.revision).toBe(number);
    const current = await bundles(`cluster=demo&after=${number}&wait=0`);
    expect(current.status).toBe(204);
    const behind = await bundles("cluster=demo&after=0&wait=0");
    expect(behind.status).toBe(200);
    // The same revision twice: the same bytes.
    const again = await bundles("cluster=demo&after=0&wait=0");
    expect(await again.text()).toBe(JSON.stringify(await behind.json()));
  });

  it("refuses another cluster's bundles, user sessions on agent routes, and revoked agents", async () => {
    expect((await bundles("cluster=prod&after=0&wait=0")).status).toBe(403);
    const asUser = await callRoute({ ...r("GET", "/api/v1/agent/bundles"), pattern: "/api/v1/agent/bundles?cluster=demo" }, { cookie: admin.cookie });
    expect(asUser.status).toBe(403);
    const other = await register(await bootstrap(), "node-revoked");
    const otherCred = ((await other.json()) as { credential: string; agentId: string });
    const agent = await db().agent.findFirstOrThrow({ where: { nodeName: "node-revoked" } });
    const revoke = await callRoute(r("POST", "/api/v1/agents/[id]/revoke"), { cookie: admin.cookie, params: { id: agent.id } });
    expect(revoke.status).toBe(200);
    const after = await callRoute({ ...r("GET", "/api/v1/agent/bundles"), pattern: "/api/v1/agent/bundles?cluster=demo&wait=0" }, { bearer: otherCred.credential });
    expect(after.status).toBe(401);
  });

  it("status reports make the cluster page show the node current, behind, or failing", async () => {
    const head = await db().revision.findFirstOrThrow({ orderBy: { number: "desc" } });
    const report = (body: Record<string, unknown>) => callRoute(r("POST", "/api/v1/agent/status"), { bearer: credential, origin: null, body: JSON.stringify(body) });
    expect((await report({ appliedRevision: head.number, bundleSha256: head.bundleSha256, lastError: null, rules: 12, sets: 4, counters: { "GlobalNetworkPolicy x egress": 7 } })).status).toBe(200);
    const detail = async () => {
      const res = await callRoute({ ...r("GET", "/api/v1/clusters/[cluster]/agents"), pattern: "/api/v1/clusters/[cluster]/agents?q=NODE-X" }, { cookie: admin.cookie, params: { cluster: "demo" } });
      const body = (await res.json()) as { total: number; items: Array<{ nodeName: string; current: boolean; behind: number; lastError: string | null; packets: number }> };
      expect(body.total).toBe(1);
      return body.items[0]!;
    };
    const listed = async (status: string) => {
      const res = await callRoute({ ...r("GET", "/api/v1/clusters/[cluster]/agents"), pattern: `/api/v1/clusters/[cluster]/agents?status=${status}&sort=heartbeat` }, { cookie: admin.cookie, params: { cluster: "demo" } });
      const body = (await res.json()) as { counts: Record<string, number>; items: Array<{ nodeName: string }> };
      return { names: body.items.map((a) => a.nodeName), counts: body.counts };
    };
    const summary = async () => ((await (await callRoute(r("GET", "/api/v1/clusters/[cluster]"), { cookie: admin.cookie, params: { cluster: "demo" } })).json()) as { agentCounts: Record<string, number> }).agentCounts;
    expect(await detail()).toMatchObject({ current: true, behind: 0, packets: 7 });
    expect((await listed("current")).names).toContain("node-x");
    expect((await listed("revoked")).names).toEqual(["node-revoked"]);
    await publishPolicy("behind-1");
    expect(await detail()).toMatchObject({ current: false, behind: 1 });
    const behind = await listed("behind");
    expect(behind.names).toContain("node-x");
    expect(behind.names).not.toContain("node-revoked");
    expect((await listed("current")).names).not.toContain("node-x");
    const counts = await summary();
    expect(counts.revoked).toBe(1);
    expect(counts.all).toBe(counts.current! + counts.behind! + counts.revoked!);
    expect((await report({ appliedRevision: head.number, bundleSha256: head.bundleSha256, lastError: "nft: syntax error" })).status).toBe(200);
    expect((await detail()).lastError).toBe("nft: syntax error");
    const actions = (await db().auditEvent.findMany({ where: { actorName: "agent demo/node-x" }, orderBy: { seq: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["agent.register", "agent.revision.applied", "agent.error"]);
  });

  it("many agents reporting a revision at once: each report is written with its own audit row, and the chain stays valid", async () => {
    const token = await bootstrap({ oneTime: false, expiresInHours: 1 });
    const creds: string[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await register(token, `burst-${i}`);
      expect(res.status).toBe(201);
      creds.push(((await res.json()) as { credential: string }).credential);
    }
    const head = await db().revision.findFirstOrThrow({ orderBy: { number: "desc" } });
    const ids = creds.map((_, i) => `burst-request-${i}-${Date.now()}`);
    const results = await Promise.all(
      creds.map((bearer, i) =>
        callRoute(r("POST", "/api/v1/agent/status"), { bearer, origin: null, headers: { "x-request-id": ids[i]! }, body: JSON.stringify({ appliedRevision: head.number, bundleSha256: head.bundleSha256, lastError: null }) }),
      ),
    );
    expect(results.map((x) => x.status)).toEqual(creds.map(() => 200));
    const rows = await db().auditEvent.findMany({ where: { action: "agent.revision.applied", actorName: { startsWith: "agent demo/burst-" } } });
    expect(rows).toHaveLength(40);
    expect(new Set(rows.map((x) => x.requestId))).toEqual(new Set(ids));
    const agents = await db().agent.findMany({ where: { nodeName: { startsWith: "burst-" } } });
    expect(agents.every((a) => a.appliedRevision === head.number && a.appliedBundleSha256 === head.bundleSha256)).toBe(true);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it("inventory reports replace the node's pods and keep other nodes' pods", async () => {
    const before = await db().inventoryPod.count({ where: { nodeName: { not: "node-x" } } });
    const put = (pods: Array<Record<string, unknown>>) =>
      callRoute(r("PUT", "/api/v1/agent/inventory"), {
        bearer: credential,
        origin: null,
        body: JSON.stringify({ namespaces: [{ name: "shop-frontend", labels: { team: "storefront" } }, { name: "new-team", labels: {} }], pods }),
      });
    expect((await put([{ namespace: "new-team", name: "api-1", labels: { app: "api" }, podIps: ["10.244.42.2"] }, { namespace: "new-team", name: "api-2", podIps: ["10.244.42.3"] }])).status).toBe(200);
    expect(await db().inventoryPod.count({ where: { nodeName: "node-x" } })).toBe(2);
    expect((await put([{ namespace: "new-team", name: "api-2", podIps: ["10.244.42.3"] }])).status).toBe(200);
    expect((await db().inventoryPod.findMany({ where: { nodeName: "node-x" } })).map((p) => p.name)).toEqual(["api-2"]);
    expect(await db().inventoryPod.count({ where: { nodeName: { not: "node-x" } } })).toBe(before);
    expect(await db().inventoryNamespace.findFirst({ where: { name: "new-team" } })).not.toBeNull();
    // Namespaces no agent reports any more go once they have no pods; those with pods stay.
    expect(await db().inventoryNamespace.findFirst({ where: { name: "payments" } })).not.toBeNull();
  });
});
