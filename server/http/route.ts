import { randomUUID } from "node:crypto";
import type { NextRequest } from "next/server";
import { z } from "zod";
import { config } from "../config";
import type { Actor, RequestContext, RoleName } from "../auth/actor";
import { actorFromAgentCredential, actorFromApiToken, actorFromSession, SESSION_COOKIE_PLAIN, SESSION_COOKIE_SECURE } from "../auth/session";
import { ServiceError, formatPath, type FieldError } from "../services/errors";
import { problem, problemResponse } from "./problem";
import { log } from "../log";
import { Prisma } from "../db";
import "../policy/zod-messages";

/**
 * Route handlers are declarations: who may call it, what it accepts, one service call.
 *
 *   export const POST = route({ auth: ["admin"], body: ZCreateUser }, ({ body, ctx }) => createUser(ctx, body));
 *
 * The wrapper authenticates (session cookie or `Authorization: Bearer pcl_...`), checks roles,
 * refuses cross-origin mutations, enforces the body size limit, parses params, query and body
 * with zod (unknown fields rejected), and maps every error to RFC 9457 problem+json. A 500
 * never shows internal text; it carries the request id that the log line carries too.
 */
export type Auth = "public" | "authenticated" | "agent" | readonly RoleName[];

export interface RouteSpec<P, Q, B> {
  auth: Auth;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Maximum request body in bytes (default PORTCULLIS_BODY_LIMIT_BYTES). */
  bodyLimit?: number;
  /** Status for a successful plain-data result (default 200). */
  status?: number;
  /** A machine endpoint that never reads cookies (credentials come in the request): no origin check. */
  machine?: boolean;
  /** A POST that only reads (a query too large for a URL): it writes nothing and appends no audit row. */
  readOnly?: boolean;
}

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  ctx: RequestContext;
  /** Set when the route's auth is not "public". */
  actor: Actor;
  req: NextRequest;
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };
export type RouteHandler = ((req: NextRequest, context: RouteContext) => Promise<Response>) & {
  spec: { auth: Auth; hasBody: boolean; machine: boolean; readOnly: boolean };
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** A well-formed client-sent request id is kept (for tracing across systems); otherwise a new one. */
export function requestIdFrom(given: string | null | undefined): string {
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

export function requestIdOf(req: Request): string {
  return requestIdFrom(req.headers.get("x-request-id"));
}

/** The peer address as set by the console's HTTP server (server/main.ts), never by the client. */
export function clientIp(req: Request): string | null {
  return req.headers.get("x-portcullis-peer");
}

export function isSecureRequest(req: Request): boolean {
  const publicUrl = config().PORTCULLIS_PUBLIC_URL;
  if (publicUrl) return publicUrl.startsWith("https:");
  if (config().PORTCULLIS_TRUST_PROXY) return req.headers.get("x-forwarded-proto") === "https";
  return new URL(req.url).protocol === "https:";
}

function expectedOrigin(req: Request): string {
  const publicUrl = config().PORTCULLIS_PUBLIC_URL;
  if (publicUrl) return new URL(publicUrl).origin;
  const host = req.headers.get("host") ?? new URL(req.url).host;
  const proto = isSecureRequest(req) ? "https" : "http";
  return `${proto}://${host}`;
}

/** Browser mutations must come from the console's own pages (CSRF defence). */
export function sameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (origin) return origin === expectedOrigin(req);
  const site = req.headers.get("sec-fetch-site");
  if (site) return site === "same-origin";
  return false;
}

export async function authenticate(req: NextRequest): Promise<{ actor: Actor | null; viaToken: boolean }> {
  const authz = req.headers.get("authorization");
  if (authz) {
    const m = /^Bearer\s+(\S+)$/i.exec(authz);
    if (!m) return { actor: null, viaToken: true };
    const token = m[1]!;
    return { actor: token.startsWith("pca_") ? await actorFromAgentCredential(token) : await actorFromApiToken(token), viaToken: true };
  }
  const cookie = req.cookies.get(SESSION_COOKIE_SECURE)?.value ?? req.cookies.get(SESSION_COOKIE_PLAIN)?.value;
  if (!cookie) return { actor: null, viaToken: false };
  return { actor: await actorFromSession(cookie), viaToken: false };
}

/** zod issues -> field errors; unknown keys become one error per key, named by its full path. */
export function fieldErrors(error: z.ZodError, prefix = ""): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = prefix ? [prefix, ...issue.path] : issue.path;
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ path: formatPath([...base, key]), message: "unknown field" });
    } else {
      out.push({ path: formatPath(base) || "(root)", message: issue.message });
    }
  }
  return out;
}

async function readBody(req: NextRequest, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) {
    throw new ServiceError("payload_too_large", `request body is larger than the limit of ${limit} bytes`);
  }
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new ServiceError("payload_too_large", `request body is larger than the limit of ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const EMPTY = z.strictObject({});

export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(
  spec: RouteSpec<P, Q, B>,
  handler: (input: HandlerInput<P, Q, B>) => Promise<unknown>,
): RouteHandler {
  const fn = async (req: NextRequest, context: RouteContext): Promise<Response> => {
    const requestId = requestIdOf(req);
    const ctx: RequestContext = {
      actor: null,
      requestId,
      ip: clientIp(req),
      userAgent: req.headers.get("user-agent")?.slice(0, 512) ?? null,
    };
    try {
      const { actor, viaToken } = spec.auth === "public" ? { actor: null, viaToken: false } : await authenticate(req);
      ctx.actor = actor;
      if (MUTATING.has(req.method) && !viaToken && !spec.machine && !sameOrigin(req)) {
        throw new ServiceError("forbidden", "cross-origin request refused: mutations must come from the console or carry an API token");
      }
      if (spec.auth === "agent") {
        if (!actor) throw new ServiceError("unauthenticated", "this endpoint needs an agent credential");
        if (actor.type !== "agent") throw new ServiceError("forbidden", "this endpoint is for enforcement agents only");
      } else if (spec.auth !== "public") {
        if (!actor) throw new ServiceError("unauthenticated", viaToken ? "the API token is invalid, expired or revoked" : "sign in to continue");
        if (actor.type === "agent") throw new ServiceError("forbidden", "agent credentials cannot use the console API");
        if (spec.auth !== "authenticated" && !actor.roles.some((r) => (spec.auth as readonly RoleName[]).includes(r))) {
          throw new ServiceError("forbidden", `this action needs one of the roles: ${(spec.auth as readonly string[]).join(", ")}`);
        }
      }

      const rawParams = await context.params;
      const params = (spec.params ?? EMPTY).safeParse(rawParams ?? {});
      if (!params.success) throw new ServiceError("not_found", "no such resource: " + fieldErrors(params.error).map((e) => `${e.path} ${e.message}`).join("; "));

      const url = new URL(req.url);
      const query = (spec.query ?? EMPTY).safeParse(queryObject(url));
      if (!query.success) {
        const errors = fieldErrors(query.error, "query");
        throw new ServiceError("validation_failed", errors.map((e) => `${e.path}: ${e.message}`).join("; "), { errors });
      }

      let body: unknown = undefined;
      if (spec.body) {
        const type = req.headers.get("content-type") ?? "";
        if (!/^application\/(.+\+)?json\b/i.test(type)) {
          throw new ServiceError("unsupported_media_type", "send the request body as application/json");
        }
        const text = await readBody(req, spec.bodyLimit ?? config().PORTCULLIS_BODY_LIMIT_BYTES);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (err) {
          throw new ServiceError("bad_request", `the request body is not valid JSON: ${(err as Error).message}`);
        }
        const parsed = spec.body.safeParse(json);
        if (!parsed.success) {
          const errors = fieldErrors(parsed.error);
          throw new ServiceError("validation_failed", errors.map((e) => `${e.path}: ${e.message}`).join("; "), { errors });
        }
        body = parsed.data;
      }

      const result = await handler({
        params: params.data as P,
        query: query.data as Q,
        body: body as B,
        ctx,
        actor: actor as Actor,
        req,
      });
      if (result instanceof Response) {
        result.headers.set("x-request-id", requestId);
        return result;
      }
      return Response.json(result ?? null, {
        status: spec.status ?? 200,
        headers: { "x-request-id": requestId, "cache-control": "no-store" },
      });
    } catch (err) {
      return errorResponse(err, requestId);
    }
  };
  return Object.assign(fn, { spec: { auth: spec.auth, hasBody: spec.body !== undefined, machine: spec.machine === true, readOnly: spec.readOnly === true } });
}

/** Prisma errors that mean "the database is saturated or unreachable right now": retry, not a bug. */
const TRANSIENT_DB_CODES = new Set(["P1001", "P1002", "P1017", "P2024", "P2028", "P2034"]);

export function errorResponse(err: unknown, requestId: string): Response {
  if (err instanceof Prisma.PrismaClientKnownRequestError && TRANSIENT_DB_CODES.has(err.code)) {
    log.warn("database busy", { requestId, code: err.code });
    return problemResponse(problem("unavailable", "the database is busy; retry shortly", requestId), { "retry-after": "1" });
  }
  if (err instanceof ServiceError) {
    const { retryAfterSeconds, ...extra } = err.extra;
    const headers: Record<string, string> = {};
    if (retryAfterSeconds !== undefined) headers["retry-after"] = String(retryAfterSeconds);
    return problemResponse(problem(err.code, err.message, requestId, extra), headers);
  }
  log.error("unhandled error", { requestId, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return problemResponse(problem("internal", `an internal error occurred; quote request id ${requestId} when reporting it`, requestId));
}
