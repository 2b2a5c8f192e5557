/**
 * Serves a route handler straight from Node's HTTP server: the request becomes a NextRequest
 * (body streamed, so the handler's size limit applies), and the Response is written back. The
 * request's signal aborts when the client goes away, which ends a long-poll.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { NextRequest } from "next/server";
import { log } from "../log";
import type { RouteHandler } from "./route";

/** The headers every console response carries (as next.config.ts sets them for pages and the API). */
const SECURITY_HEADERS: ReadonlyArray<[string, string]> = [
  ["x-content-type-options", "nosniff"],
  ["x-frame-options", "DENY"],
  ["referrer-policy", "same-origin"],
];

export async function serveRoute(req: IncomingMessage, res: ServerResponse, handler: RouteHandler, origin: string): Promise<void> {
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  try {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) headers.append(k, x);
      else headers.set(k, v);
    }
    const method = req.method ?? "GET";
    const hasBody = method !== "GET" && method !== "HEAD";
    const request = new NextRequest(new URL(req.url ?? "/", origin), {
      method,
      headers,
      signal: abort.signal,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
    } as ConstructorParameters<typeof NextRequest>[1]);
    const response = await handler(request, { params: Promise.resolve({}) });
    for (const [k, v] of SECURITY_HEADERS) res.setHeader(k, v);
    res.statusCode = response.status;
    response.headers.forEach((v, k) => res.setHeader(k, v));
    res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
  } catch (err) {
    // The handler maps its own errors to problems; this is the adapter failing.
    log.error("direct route failed", { error: err instanceof Error ? err.message : String(err), path: req.url });
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader("content-type", "application/problem+json");
    }
    res.end(JSON.stringify({ type: "about:blank", title: "Internal Server Error", status: 500, code: "internal" }));
  }
}
