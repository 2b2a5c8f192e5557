import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { NextRequest } from "next/server";
import type { RouteHandler } from "../server/http/route";
import type { RoleName } from "../server/policy/roles";
import { createSession } from "../server/auth/session";
import { hashPassword } from "../server/auth/password";
import { db } from "../server/db";

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
}

export async function call(route: Pick<DiscoveredRoute, "handler" | "method" | "pattern">, opts: CallOptions = {}): Promise<Response> {
  const { url, params } = concretePath(route.pattern);
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
