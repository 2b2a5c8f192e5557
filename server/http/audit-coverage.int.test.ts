import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase } from "../../test/db";
import { callRoute, discoverRoutes, userWithRoles, type DiscoveredRoute } from "../../test/api";
import { createSession } from "../auth/session";
import { newAgentSecret, sha256 } from "../auth/tokens";
import { db } from "../db";
import { ROLE_NAMES } from "../policy/roles";
import { seedDatabase } from "../services/seed/seed-database";
import type { RouteHandler } from "./route";

/**
 * Walks every mutating /api/v1 route: each must have a recipe here (a new route without one
 * fails this test), and a successful call must leave exactly one audit row carrying the call's
 * request id (the same transaction as the write: no audit, no change).
 */
type Who = { cookie?: string; bearer?: string };
interface Recipe {
  /** Prepares state; returns the path parameters, the body and who calls. */
  setup(): Promise<{ params?: Record<string, string>; body?: unknown; as: Who }>;
  /** Expected audit action of the one row; null for read-only routes, which must leave none. */
  action: string | null;
}

let database: Awaited<ReturnType<typeof freshDatabase>>;
let routes: DiscoveredRoute[];
let root: Awaited<ReturnType<typeof userWithRoles>>;
let reviewer: Awaited<ReturnType<typeof userWithRoles>>;

const NP = (name: string, port: number) => ({
  apiVersion: "projectcalico.org/v3",
  kind: "NetworkPolicy",
  metadata: { name, namespace: "shop-frontend" },
  spec: { selector: 'app == "web"', ingress: [{ action: "Allow", protocol: "TCP", destination: { ports: [port] } }] },
});

function route(method: string, pattern: string): DiscoveredRoute {
  const r = routes.find((x) => x.method === method && x.pattern === pattern);
  if (!r) throw new Error(`no route ${method} ${pattern}`);
  return r;
}

async function invoke(method: string, pattern: string, params: Record<string, string>, body: unknown, who: Who, requestId: string) {
  const r = route(method, pattern);
  return callRoute(r, { params, cookie: who.cookie, bearer: who.bearer, origin: who.bearer ? null : undefined, body: body === undefined ? undefined : JSON.stringify(body), headers: { "x-request-id": requestId } }).then(
    async (res) => ({ status: res.status, json: (res.headers.get("content-type") ?? "").includes("json") ? ((await res.json()) as Record<string, unknown>) : {} }),
  );
}

let seq = 0;
const rid = () => `walk-${++seq}`;

/** Opens a draft change request creating or updating one NetworkPolicy; returns its id. */
async function draft(name: string, port = 80): Promise<string> {
  // JSON is YAML: the YAML path creates or updates, whichever the resource needs.
  const res = await invoke("POST", "/api/v1/clusters/[cluster]/changes", { cluster: "demo" }, { title: `Change ${name}`, yaml: JSON.stringify(NP(name, port)) }, root, rid());
  const id = res.json.id as string;
  if (!id) throw new Error(`could not open a change request: ${JSON.stringify(res.json)}`);
  return id;
}
async function submitted(name: string, port = 80) {
  const id = await draft(name, port);
  await invoke("POST", "/api/v1/changes/[id]/submit", { id }, undefined, root, rid());
  return id;
}
async function approved(name: string, port = 80) {
  const id = await submitted(name, port);
  await invoke("POST", "/api/v1/changes/[id]/review", { id }, { decision: "approve" }, reviewer, rid());
  return id;
}
async function published(name: string, port = 80) {
  const id = await approved(name, port);
  await invoke("POST", "/api/v1/changes/[id]/publish", { id }, undefined, reviewer, rid());
  return id;
}
const freshSession = async (userId: string): Promise<Who> => ({ cookie: (await createSession(userId, { ip: null, userAgent: null })).secret });

/** Registers an agent for node `node` of the demo cluster directly; returns its credential. */
async function agentFor(node: string): Promise<Who> {
  const cluster = await db().cluster.findUniqueOrThrow({ where: { name: "demo" } });
  const credential = newAgentSecret("credential").token;
  await db().agent.create({ data: { clusterId: cluster.id, nodeName: node, credentialHash: sha256(credential) } });
  return { bearer: credential };
}

const RECIPES: Record<string, Recipe> = {
  "POST /api/v1/clusters/[cluster]/simulate": {
    action: null,
    setup: async () => ({ params: { cluster: "demo" }, body: { source: { pod: "shop-frontend/" + (await db().inventoryPod.findFirstOrThrow({ where: { namespace: "shop-frontend" } })).name }, destination: { ip: "198.51.100.7" }, protocol: "TCP", port: 443 }, as: root }),
  },
  "POST /api/v1/clusters/[cluster]/import/preview": { action: null, setup: async () => ({ params: { cluster: "demo" }, body: { yaml: JSON.stringify(NP("import-preview-a", 80)) }, as: root }) },
  "POST /api/v1/clusters": { action: "cluster.create", setup: async () => ({ body: { name: "walk-cluster", displayName: "Walk" }, as: root }) },
  "POST /api/v1/clusters/[cluster]/bootstrap-tokens": { action: "agent.bootstrap_token.create", setup: async () => ({ params: { cluster: "demo" }, body: { oneTime: true, expiresInHours: 1 }, as: root }) },
  "POST /api/v1/agent/register": {
    action: "agent.register",
    setup: async () => {
      const res = await invoke("POST", "/api/v1/clusters/[cluster]/bootstrap-tokens", { cluster: "demo" }, {}, root, rid());
      return { body: { cluster: "demo", nodeName: "walk-node-1", version: "0.1.0" }, as: { bearer: res.json.token as string } };
    },
  },
  "POST /api/v1/agent/status": {
    action: "agent.revision.applied",
    setup: async () => ({ body: { appliedRevision: 0, bundleSha256: "a".repeat(64), lastError: null, rules: 3 }, as: await agentFor("walk-node-2") }),
  },
  "PUT /api/v1/agent/inventory": {
    action: "agent.inventory.report",
    setup: async () => ({
      body: { namespaces: [{ name: "shop-frontend", labels: { team: "storefront" } }], pods: [{ namespace: "shop-frontend", name: "web-1", labels: { app: "web" }, podIps: ["10.244.9.2"] }] },
      as: await agentFor("walk-node-3"),
    }),
  },
  "POST /api/v1/agents/[id]/revoke": {
    action: "agent.revoke",
    setup: async () => {
      await agentFor("walk-node-4");
      const a = await db().agent.findFirstOrThrow({ where: { nodeName: "walk-node-4" } });
      return { params: { id: a.id }, as: root };
    },
  },
  "POST /api/v1/auth/login": { action: "auth.login", setup: async () => ({ body: { username: reviewer.username, password: reviewer.password }, as: { cookie: "" } }) },
  "POST /api/v1/auth/logout": { action: "auth.logout", setup: async () => ({ as: await freshSession(reviewer.id) }) },
  "POST /api/v1/me/password": {
    action: "user.password.change",
    setup: async () => {
      const u = await userWithRoles(["viewer"]);
      return { body: { currentPassword: u.password, newPassword: "another-long-password" }, as: u };
    },
  },
  "POST /api/v1/users": { action: "user.create", setup: async () => ({ body: { username: `walk-${seq}`, displayName: "Walker", password: "walker-password-1", roles: ["viewer"] }, as: root }) },
  "PATCH /api/v1/users/[id]": { action: "user.update", setup: async () => ({ params: { id: (await userWithRoles(["viewer"])).id }, body: { displayName: "Renamed" }, as: root }) },
  "POST /api/v1/users/[id]/password": { action: "user.password.reset", setup: async () => ({ params: { id: (await userWithRoles(["viewer"])).id }, body: { password: "reset-password-123" }, as: root }) },
  "POST /api/v1/tokens": { action: "token.create", setup: async () => ({ body: { name: "walker" }, as: root }) },
  "DELETE /api/v1/tokens/[id]": {
    action: "token.revoke",
    setup: async () => {
      const res = await invoke("POST", "/api/v1/tokens", {}, { name: "to-revoke" }, root, rid());
      return { params: { id: res.json.id as string }, as: root };
    },
  },
  "POST /api/v1/audit/verify": { action: "audit.verify", setup: async () => ({ as: root }) },
  "PUT /api/v1/settings/approvals": { action: "settings.approvals.update", setup: async () => ({ body: { requiredApprovals: 1, tierOverrides: { security: 2 }, autoPublish: false }, as: root }) },
  "POST /api/v1/webhooks": { action: "webhook.create", setup: async () => ({ body: { url: "http://127.0.0.1:9/hook", secret: "s".repeat(20), events: ["change.published"] }, as: root }) },
  "DELETE /api/v1/webhooks/[id]": {
    action: "webhook.delete",
    setup: async () => {
      const res = await invoke("POST", "/api/v1/webhooks", {}, { url: "http://127.0.0.1:9/other", secret: "t".repeat(20), events: ["change.approved"] }, root, rid());
      return { params: { id: res.json.id as string }, as: root };
    },
  },
  "POST /api/v1/clusters/[cluster]/changes": { action: "change.open", setup: async () => ({ params: { cluster: "demo" }, body: { title: "Walk open" }, as: root }) },
  "POST /api/v1/changes/[id]/items": { action: "change.items.add", setup: async () => ({ params: { id: await draft("items-a") }, body: { changes: [{ op: "create", document: NP("items-b", 81) }] }, as: root }) },
  "DELETE /api/v1/changes/[id]/items/[itemId]": {
    action: "change.items.remove",
    setup: async () => {
      const id = await draft("remove-a");
      const item = await db().changeItem.findFirstOrThrow({ where: { changeRequestId: id } });
      return { params: { id, itemId: item.id }, as: root };
    },
  },
  "POST /api/v1/clusters/[cluster]/draft": { action: "change.draft.save", setup: async () => ({ params: { cluster: "demo" }, body: { changes: [{ op: "create", document: NP("draft-a", 82), baseVersion: 0 }] }, as: root }) },
  "POST /api/v1/changes/[id]/yaml": {
    action: "change.items.add",
    setup: async () => ({ params: { id: await draft("yaml-a") }, body: { yaml: "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: walk-set\nspec:\n  nets: [192.0.2.0/24]\n" }, as: root }),
  },
  "POST /api/v1/changes/[id]/submit": { action: "change.submit", setup: async () => ({ params: { id: await draft("submit-a") }, as: root }) },
  "POST /api/v1/changes/[id]/withdraw": { action: "change.withdraw", setup: async () => ({ params: { id: await draft("withdraw-a") }, as: root }) },
  "POST /api/v1/changes/[id]/review": { action: "change.approve", setup: async () => ({ params: { id: await submitted("review-a") }, body: { decision: "approve", comment: "ok" }, as: reviewer }) },
  "POST /api/v1/changes/[id]/publish": { action: "change.publish", setup: async () => ({ params: { id: await approved("publish-a") }, as: reviewer }) },
  "POST /api/v1/changes/[id]/comments": { action: "change.comment", setup: async () => ({ params: { id: await draft("comment-a") }, body: { body: "A comment" }, as: reviewer }) },
  "POST /api/v1/changes/[id]/rebase": {
    action: "change.rebase",
    setup: async () => {
      await published("shared", 100);
      const b = await approved("shared", 200);
      const c = await approved("shared", 300);
      await invoke("POST", "/api/v1/changes/[id]/publish", { id: b }, undefined, reviewer, rid());
      return { params: { id: c }, as: root };
    },
  },
  "POST /api/v1/clusters/[cluster]/revisions/[n]/rollback": {
    action: "change.open",
    setup: async () => {
      await published("rollback-a", 90);
      return { params: { cluster: "demo", n: "1" }, as: root };
    },
  },
};

beforeAll(async () => {
  database = await freshDatabase();
  await seedDatabase(database.client, { adminUsername: "seed-admin", adminPassword: "seed-admin-password", demo: true });
  routes = (await discoverRoutes()).filter((r) => r.method !== "GET" && !r.pattern.includes("[...path]"));
  root = await userWithRoles([...ROLE_NAMES]);
  reviewer = await userWithRoles(["viewer", "approver"]);
});
afterAll(async () => database.drop());

describe("audit coverage of every mutating API", () => {
  it("has a recipe for every mutating route", () => {
    const missing = routes.map((r) => `${r.method} ${r.pattern}`).filter((k) => !RECIPES[k]);
    expect(missing).toEqual([]);
  });

  it("leaves exactly one audit row per successful call, with the call's request id", async () => {
    for (const r of routes) {
      const key = `${r.method} ${r.pattern}`;
      const recipe = RECIPES[key]!;
      const { params = {}, body, as } = await recipe.setup();
      const requestId = rid();
      const res = await invoke(r.method, r.pattern, params, body, as, requestId);
      expect(res.status, `${key}: ${JSON.stringify(res.json)}`).toBeLessThan(300);
      const rows = await db().auditEvent.findMany({ where: { requestId } });
      const readOnly = (r.handler as RouteHandler).spec.readOnly;
      expect(readOnly, `${key}: read-only routes have a null recipe action and vice versa`).toBe(recipe.action === null);
      if (recipe.action === null) {
        expect(rows, key).toEqual([]);
        continue;
      }
      expect(rows.map((x) => x.action), key).toEqual([recipe.action]);
      expect(rows[0]!.outcome, key).toBe("success");
    }
  });
});
