import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, testCtx } from "../../../test/db";
import { callRoute as call, discoverRoutes, userWithRoles, type DiscoveredRoute } from "../../../test/api";
import { actorFromApiToken, actorFromSession } from "../../auth/session";
import { verifyAuditChain } from "../../audit/verify";
import { db } from "../../db";
import { ServiceError } from "../errors";
import { login } from "./login";
import { logout } from "./logout";
import { updateUser } from "../users/update-user";
import { createApiToken } from "../tokens/create-api-token";
import { revokeApiToken } from "../tokens/revoke-api-token";
import { createUser } from "../users/create-user";

let database: Awaited<ReturnType<typeof freshDatabase>>;
let routes: DiscoveredRoute[];
beforeAll(async () => {
  database = await freshDatabase();
  routes = await discoverRoutes();
});
afterAll(async () => database.drop());

const route = (method: string, pattern: string) => routes.find((r) => r.method === method && r.pattern === pattern)!;

async function failure(fn: () => Promise<unknown>): Promise<ServiceError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error("expected a ServiceError");
}

describe("sign-in", () => {
  it("opens a new session id at every login and audits it", async () => {
    const u = await userWithRoles(["viewer"]);
    const a = await login({ ...testCtx(null), ip: "10.1.0.1" }, { username: u.username, password: u.password });
    const b = await login({ ...testCtx(null), ip: "10.1.0.1" }, { username: u.username.toUpperCase(), password: u.password });
    expect(a.secret).not.toBe(b.secret);
    expect((await actorFromSession(a.secret))?.name).toBe(u.username);
    expect((await actorFromSession(b.secret))?.name).toBe(u.username);
    const rows = await db().auditEvent.findMany({ where: { action: "auth.login", actorName: u.username, outcome: "success" } });
    expect(rows).toHaveLength(2);
    expect(rows[0]!.sourceIp).toBe("10.1.0.1");
  });

  it("answers unknown user and wrong password the same way, and audits both failures", async () => {
    const u = await userWithRoles(["viewer"]);
    const wrong = await failure(() => login({ ...testCtx(null), ip: "10.2.0.1" }, { username: u.username, password: "not-the-password" }));
    const unknown = await failure(() => login({ ...testCtx(null), ip: "10.2.0.2" }, { username: "nobody-here", password: "whatever-password" }));
    expect(wrong.code).toBe("unauthenticated");
    expect(unknown.code).toBe(wrong.code);
    expect(unknown.message).toBe(wrong.message);
    const failures = await db().auditEvent.findMany({ where: { action: "auth.login", outcome: "failure", actorName: { in: [u.username, "nobody-here"] } } });
    expect(failures).toHaveLength(2);
  });

  it("throttles an account after repeated failures, even with the right password, from any address", async () => {
    const u = await userWithRoles(["viewer"]);
    for (let i = 0; i < 5; i++) {
      await failure(() => login({ ...testCtx(null), ip: `10.3.0.${i}` }, { username: u.username, password: "wrong-password-x" }));
    }
    const locked = await failure(() => login({ ...testCtx(null), ip: "10.3.1.1" }, { username: u.username, password: u.password }));
    expect(locked.code).toBe("rate_limited");
    expect(locked.extra.retryAfterSeconds).toBeGreaterThan(0);
    // Another account from another address is unaffected.
    const other = await userWithRoles(["viewer"]);
    await expect(login({ ...testCtx(null), ip: "10.3.2.1" }, { username: other.username, password: other.password })).resolves.toBeTruthy();
  });

  it("throttles an address that tries many accounts", async () => {
    for (let i = 0; i < 20; i++) {
      await failure(() => login({ ...testCtx(null), ip: "10.4.0.9" }, { username: `spray-${i}`, password: "guess-password" }));
    }
    const u = await userWithRoles(["viewer"]);
    const locked = await failure(() => login({ ...testCtx(null), ip: "10.4.0.9" }, { username: u.username, password: u.password }));
    expect(locked.code).toBe("rate_limited");
    await expect(login({ ...testCtx(null), ip: "10.4.0.10" }, { username: u.username, password: u.password })).resolves.toBeTruthy();
  });

  it("the login route sets an HttpOnly SameSite session cookie", async () => {
    const u = await userWithRoles(["viewer"]);
    const res = await call(route("POST", "/api/v1/auth/login"), { body: JSON.stringify({ username: u.username, password: u.password }) });
    expect(res.status).toBe(200);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^portcullis_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=lax/i);
    const bad = await call(route("POST", "/api/v1/auth/login"), { body: JSON.stringify({ username: u.username, password: "nope-nope-nope" }) });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("set-cookie")).toBeNull();
  });
});

describe("ending sessions", () => {
  it("logout ends the session at once", async () => {
    const u = await userWithRoles(["viewer"]);
    const actor = (await actorFromSession(u.cookie))!;
    await logout(testCtx(actor));
    expect(await actorFromSession(u.cookie)).toBeNull();
    const me = await call(route("GET", "/api/v1/me"), { cookie: u.cookie });
    expect(me.status).toBe(401);
  });

  it("disabling a user ends their sessions and stops their API tokens; role changes apply on the next request", async () => {
    const admin = await userWithRoles(["admin"]);
    const adminActor = (await actorFromSession(admin.cookie))!;
    const u = await userWithRoles(["viewer", "author"]);
    const uActor = (await actorFromSession(u.cookie))!;
    const token = await createApiToken(testCtx(uActor), { name: "ci" });
    expect((await actorFromApiToken(token.token))?.roles).toEqual(["viewer", "author"]);

    await updateUser(testCtx(adminActor), u.id, { roles: ["viewer"] });
    expect((await actorFromSession(u.cookie))?.roles).toEqual(["viewer"]);

    await updateUser(testCtx(adminActor), u.id, { disabled: true });
    expect(await actorFromSession(u.cookie)).toBeNull();
    expect(await actorFromApiToken(token.token)).toBeNull();
    const denied = await failure(() => login(testCtx(null), { username: u.username, password: u.password }));
    expect(denied.code).toBe("unauthenticated");
  });

  it("refuses to remove the last admin or let an admin disable themselves", async () => {
    // Make this the only active admin.
    await db().user.updateMany({ where: { roles: { has: "admin" } }, data: { disabled: true } });
    {
      const admin = await userWithRoles(["admin"]);
      const actor = (await actorFromSession(admin.cookie))!;
      expect((await failure(() => updateUser(testCtx(actor), admin.id, { disabled: true }))).code).toBe("validation_failed");
      expect((await failure(() => updateUser(testCtx(actor), admin.id, { roles: ["viewer"] }))).code).toBe("validation_failed");
      const other = await createUser(testCtx(actor), { username: "second-admin", displayName: "Second", password: "another-long-password", roles: ["admin"] });
      await updateUser(testCtx(actor), other.id, { roles: ["viewer"] });
      const after = await db().user.findUniqueOrThrow({ where: { id: other.id } });
      expect(after.roles).toEqual(["viewer"]);
      expect((await failure(() => updateUser(testCtx(actor), admin.id, { roles: ["viewer"] }))).code).toBe("validation_failed");
    }
  });
});

describe("API tokens", () => {
  it("authenticate without an Origin, are shown once, stored hashed, and stop at revocation", async () => {
    const u = await userWithRoles(["admin"]);
    const actor = (await actorFromSession(u.cookie))!;
    const t = await createApiToken(testCtx(actor), { name: "automation", expiresInDays: 30 });
    const stored = await db().apiToken.findUniqueOrThrow({ where: { id: t.id } });
    expect(stored.tokenHash).not.toContain(t.token);
    expect(JSON.stringify(stored)).not.toContain(t.token);

    const create = route("POST", "/api/v1/users");
    const res = await call(create, {
      bearer: t.token,
      origin: null,
      body: JSON.stringify({ username: "made-by-token", displayName: "Bot made", password: "a-long-password-1", roles: ["viewer"] }),
    });
    expect(res.status).toBe(201);
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "user.create", targetId: ((await res.json()) as { id: string }).id } });
    expect(audit.actorType).toBe("token");

    const list = await call(route("GET", "/api/v1/tokens"), { bearer: t.token });
    const items = ((await list.json()) as { items: Array<Record<string, unknown>> }).items;
    expect(items[0]).not.toHaveProperty("token");

    await revokeApiToken(testCtx(actor), t.id);
    const after = await call(route("GET", "/api/v1/me"), { bearer: t.token });
    expect(after.status).toBe(401);
    const garbage = await call(route("GET", "/api/v1/me"), { bearer: "pcl_garbage" });
    expect(garbage.status).toBe(401);
  });
});

describe("audit", () => {
  it("every action above left a valid chain", async () => {
    const report = await verifyAuditChain(db());
    expect(report.ok).toBe(true);
    expect(report.rowsChecked).toBeGreaterThan(5);
  });
});
