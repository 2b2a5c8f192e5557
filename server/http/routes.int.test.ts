import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLE_NAMES, type RoleName } from "../policy/roles";
import { freshDatabase } from "../../test/db";
import { callRoute as call, discoverRoutes, userWithRoles, type DiscoveredRoute } from "../../test/api";
import type { RouteHandler } from "./route";
import { createSession } from "../auth/session";
import { newAgentSecret, sha256 } from "../auth/tokens";
import { db as prisma } from "../db";

/**
 * The role x route matrix: every /api/v1 route declares the roles it allows, refuses every
 * other role with 403 and anonymous callers with 401; and every route answers malformed
 * input with a 4xx problem naming the problem, never a 500.
 */
let db: Awaited<ReturnType<typeof freshDatabase>>;
let routes: DiscoveredRoute[];
const userIds = {} as Record<RoleName, string>;
/** A new session per call, since some routes (logout) end the session they are called with. */
const cookieFor = async (role: RoleName) => (await createSession(userIds[role], { ip: null, userAgent: null })).secret;

beforeAll(async () => {
  db = await freshDatabase();
  routes = (await discoverRoutes()).filter((r) => !r.pattern.includes("[...path]"));
  for (const role of ROLE_NAMES) userIds[role] = (await userWithRoles([role])).id;
  const cluster = await prisma().cluster.create({ data: { name: "demo", displayName: "Demo" } });
  agentCredential = newAgentSecret("credential").token;
  await prisma().agent.create({ data: { clusterId: cluster.id, nodeName: "node-a", credentialHash: sha256(agentCredential) } });
});
afterAll(async () => db.drop());

let agentCredential: string;
const spec = (r: DiscoveredRoute) => (r.handler as RouteHandler).spec;

describe("every /api/v1 route", () => {
  it("is found and declares its roles", () => {
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) {
      expect(spec(r), `${r.method} ${r.pattern} must be declared with route()`).toBeDefined();
      expect(spec(r).auth).toBeDefined();
    }
  });

  it("machine routes (no cookies read) are only those that take their own credentials", () => {
    expect(routes.filter((r) => spec(r).machine).map((r) => `${r.method} ${r.pattern}`)).toEqual(["POST /api/v1/agent/register"]);
  });

  it("refuses anonymous callers (401) unless public", async () => {
    for (const r of routes) {
      if (spec(r).auth === "public") continue;
      const res = await call(r, { body: "{}" });
      expect(res.status, `${r.method} ${r.pattern}`).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  it("refuses exactly the roles it does not declare (403), and lets the declared ones through", async () => {
    for (const r of routes) {
      const auth = spec(r).auth;
      if (auth === "public") continue;
      for (const role of ROLE_NAMES) {
        const allowed = auth === "authenticated" || (auth !== "agent" && (auth as readonly string[]).includes(role));
        const res = await call(r, { cookie: await cookieFor(role), body: "{}" });
        const type = res.headers.get("content-type") ?? "";
        const body = (type.includes("json") && !type.includes("ndjson") ? await res.json() : {}) as { detail?: string };
        const refusedForRole = res.status === 403 && /needs one of the roles|for enforcement agents only/.test(body.detail ?? "");
        expect(refusedForRole, `${r.method} ${r.pattern} as ${role}: status ${res.status} ${body.detail ?? ""}`).toBe(!allowed);
        expect(res.status, `${r.method} ${r.pattern} as ${role}`).toBeLessThan(500);
      }
    }
  });

  it("refuses cross-origin and origin-less browser mutations", async () => {
    for (const r of routes.filter((x) => x.method !== "GET" && !spec(x).machine)) {
      const evil = await call(r, { cookie: await cookieFor("admin"), origin: "http://evil.example", body: "{}" });
      expect(evil.status, `${r.method} ${r.pattern}`).toBe(403);
      const none = await call(r, { cookie: await cookieFor("admin"), origin: null, body: "{}" });
      expect(none.status, `${r.method} ${r.pattern}`).toBe(403);
      const sameSite = await call(r, { cookie: await cookieFor("admin"), origin: null, body: "{}", headers: { "sec-fetch-site": "cross-site" } });
      expect(sameSite.status).toBe(403);
    }
  });

  it("answers malformed JSON, wrong media types, wrong shapes, unknown fields and oversized bodies with 4xx problems", async () => {
    const adminUser = await userWithRoles([...ROLE_NAMES]);
    for (const r of routes.filter((x) => spec(x).hasBody)) {
      const label = `${r.method} ${r.pattern}`;
      const admin = spec(r).auth === "agent" ? { cookie: undefined, bearer: agentCredential } : { cookie: adminUser.cookie, bearer: undefined };
      const malformed = await call(r, { ...admin, body: '{"a": ' });
      expect(malformed.status, label).toBe(400);
      expect(((await malformed.json()) as { code: string }).code).toBe("bad_request");

      const wrongType = await call(r, { ...admin, body: "x=1", contentType: "application/x-www-form-urlencoded" });
      expect(wrongType.status, label).toBe(415);

      for (const shape of ["[]", "42", '"text"', "null"]) {
        const res = await call(r, { ...admin, body: shape });
        expect(res.status, `${label} with ${shape}`).toBe(422);
        const p = (await res.json()) as { errors: Array<{ path: string; message: string }> };
        expect(p.errors.length).toBeGreaterThan(0);
      }

      const unknown = await call(r, { ...admin, body: JSON.stringify({ surpriseField: 1 }) });
      expect(unknown.status, label).toBe(422);
      const up = (await unknown.json()) as { errors: Array<{ path: string; message: string }> };
      expect(up.errors.some((e) => e.path.endsWith("surpriseField") && e.message === "unknown field"), `${label}: ${JSON.stringify(up.errors)}`).toBe(true);

      const big = await call(r, { ...admin, body: JSON.stringify({ pad: "x".repeat(64 * 1024 * 1024) }) });
      expect(big.status, label).toBe(413);
    }
  });

  it("answers wrong field types with 422 naming the field", async () => {
    const admin = await userWithRoles([...ROLE_NAMES]);
    const users = routes.find((r) => r.pattern === "/api/v1/users" && r.method === "POST")!;
    const res = await call(users, { cookie: admin.cookie, body: JSON.stringify({ username: 7, displayName: "X", password: ["a"], roles: "admin" }) });
    expect(res.status).toBe(422);
    const p = (await res.json()) as { errors: Array<{ path: string; message: string }> };
    expect([...new Set(p.errors.map((e) => e.path))].sort()).toEqual(["password", "roles", "username"]);
    expect(p.errors.find((e) => e.path === "roles")?.message).toBe("must be a list");
  });

  it("carries a request id in every response and never leaks internals on unknown paths", async () => {
    const r = routes.find((x) => x.pattern === "/api/v1/me")!;
    const res = await call(r, { cookie: await cookieFor("viewer"), headers: { "x-request-id": "trace-123" } });
    expect(res.headers.get("x-request-id")).toBe("trace-123");
    const all = await discoverRoutes();
    const catchAll = all.find((x) => x.pattern.includes("[...path]") && x.method === "GET")!;
    const nf = await call(catchAll, {});
    expect(nf.status).toBe(404);
    expect(nf.headers.get("content-type")).toBe("application/problem+json");
  });
});
