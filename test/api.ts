import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { RouteHandler } from "../server/http/route";
import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { hashPassword } from "../server/auth/password";
import { createSession, SESSION_COOKIE_PLAIN } from "../server/auth/session";
import { db } from "../server/db";
import type { RoleName } from "../server/policy/roles";

/**
 * Calls route handlers the way Next does, authenticated by a real session cookie, for API-level
 * integration tests. Every call carries its own x-request-id so tests can find its audit rows.
 */
export interface TestUser {
  id: string;
  username: string;
  cookie: string;
}

let passwordHash: string | undefined;

export async function makeUser(username: string, roles: RoleName[]): Promise<TestUser> {
  passwordHash ??= await hashPassword("a-long-test-password");
  const user = await db().user.create({ data: { username, displayName: username, passwordHash, roles } });
  const { secret } = await createSession(user.id, { ip: "127.0.0.1", userAgent: "vitest" });
  return { id: user.id, username, cookie: `${SESSION_COOKIE_PLAIN}=${secret}` };
}

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

export interface CallResult<T = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  status: number;
  body: T;
  requestId: string;
  headers: Headers;
  text: string;
}

export async function call<T = any>( // eslint-disable-line @typescript-eslint/no-explicit-any
  handler: Handler,
  opts: { user?: TestUser; method?: string; path?: string; params?: Record<string, string>; body?: unknown; query?: Record<string, string> },
): Promise<CallResult<T>> {
  const url = new URL(`http://localhost${opts.path ?? "/api/v1/test"}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const requestId = randomUUID();
  const headers: Record<string, string> = { "x-request-id": requestId, origin: "http://localhost", "user-agent": "vitest" };
  if (opts.user) headers.cookie = opts.user.cookie;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const req = new NextRequest(url, {
    method: opts.method ?? (opts.body === undefined ? "GET" : "POST"),
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const res = await handler(req, { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  let body: unknown = text;
  if (/^application\/(problem\+)?json/.test(res.headers.get("content-type") ?? "")) body = text ? JSON.parse(text) : null;
  return { status: res.status, body: body as T, requestId, headers: res.headers, text };
}

/** Audit rows written for one request id. */
export async function auditRowsFor(requestId: string) {
  return db().auditEvent.findMany({ where: { requestId }, orderBy: { seq: "asc" } });
}

// ---------------------------------------------------------------------------
// Route discovery: every handler under app/api/v1, called with plausible params.

export const ORIGIN = "http://console.test";
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = (typeof METHODS)[number];

export interface DiscoveredRoute {
  file: string;
  /** URL pattern such as /api/v1/users/[id]. */
  pattern: string;
  method: Method;
  handler: RouteHandler | ((req: NextRequest, ctx: unknown) => Promise<Response>);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : e === "route.ts" ? [p] : [];
  });
}

/** Every route handler under app/api/v1, imported for real. */
export async function discoverRoutes(): Promise<DiscoveredRoute[]> {
  const root = path.resolve("app/api/v1");
  const out: DiscoveredRoute[] = [];
  for (const file of walk(root).sort()) {
    const mod = (await import(file)) as Record<string, unknown>;
    const pattern = "/api/v1" + path.dirname(path.relative(root, file)).replace(/^\.$/, "").replace(/^/, "/").replace(/\/$/, "");
    for (const m of METHODS) {
      const h = mod[m];
      if (typeof h === "function") out.push({ file, pattern: pattern === "/api/v1/" ? "/api/v1" : pattern, method: m, handler: h as DiscoveredRoute["handler"] });
    }
  }
  return out;
}

/** Fills [segment] placeholders with plausible values. */
export function concretePath(pattern: string): { url: string; params: Record<string, string | string[]> } {
  const params: Record<string, string | string[]> = {};
  const url = pattern.replace(/\[(\.\.\.)?([^\]]+)\]/g, (_m, rest: string | undefined, name: string) => {
    const value = rest ? "nowhere" : name === "id" ? "00000000-0000-4000-8000-000000000000" : name === "cluster" ? "demo" : /^(n|rev|revision)$/.test(name) ? "1" : "x";
    params[name] = rest ? [value] : value;
    return value;
  });
  return { url, params };
}

export interface CallOptions {
  cookie?: string;
  bearer?: string;
  origin?: string | null;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Path parameters; the URL's [segments] are filled from them (defaults otherwise). */
  params?: Record<string, string>;
}

export async function callRoute(route: Pick<DiscoveredRoute, "handler" | "method" | "pattern">, opts: CallOptions = {}): Promise<Response> {
  const filled = opts.params ? route.pattern.replace(/\[([^\]]+)\]/g, (m, name: string) => opts.params![name] ?? m) : route.pattern;
  const { url, params: defaults } = concretePath(filled);
  const params = { ...defaults, ...(opts.params ?? {}) };
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.cookie) headers.cookie = `portcullis_session=${opts.cookie}`;
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  if (opts.origin !== null) headers.origin = opts.origin ?? ORIGIN;
  headers.host = new URL(ORIGIN).host;
  const hasBody = route.method !== "GET" && route.method !== "DELETE" && opts.body !== undefined;
  if (hasBody) headers["content-type"] = opts.contentType ?? "application/json";
  const req = new NextRequest(ORIGIN + url, { method: route.method, headers, body: hasBody ? opts.body : undefined });
  return route.handler(req, { params: Promise.resolve(params) });
}

let n = 0;
/** A user with exactly these roles and an open session; returns the cookie value. */
export async function userWithRoles(roles: RoleName[], password = "a-long-test-password"): Promise<{ id: string; username: string; cookie: string; password: string }> {
  const username = `u${n++}-${roles.join("-") || "none"}`.slice(0, 60);
  const user = await db().user.create({ data: { username, displayName: username, passwordHash: await hashPassword(password), roles } });
  const s = await createSession(user.id, { ip: "127.0.0.1", userAgent: "vitest" });
  return { id: user.id, username, cookie: s.secret, password };
}
