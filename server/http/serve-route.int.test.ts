import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { route } from "./route";
import { serveRoute } from "./serve-route";

let server: Server;
let base: string;
let aborted = 0;

const echo = route({ auth: "public", machine: true, body: z.strictObject({ n: z.number() }), bodyLimit: 1000, status: 201 }, ({ body }) => Promise.resolve({ twice: body.n * 2 }));
const wait = route({ auth: "public" }, ({ req }) =>
  new Promise<Response>((resolve) => {
    req.signal.addEventListener("abort", () => {
      aborted++;
      resolve(new Response(null, { status: 204 }));
    });
  }),
);

beforeAll(async () => {
  server = createServer((req, res) => {
    const handler = req.url?.startsWith("/echo") ? echo : wait;
    void serveRoute(req, res, handler, `http://${req.headers.host}`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("serving a route handler from Node's HTTP server", () => {
  it("streams the body in, and writes status, headers and body out", async () => {
    const r = await fetch(`${base}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n: 21 }) });
    expect(r.status).toBe(201);
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await r.json()).toEqual({ twice: 42 });
  });

  it("keeps the handler's validation and size limit", async () => {
    const bad = await fetch(`${base}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n: "x" }) });
    expect(bad.status).toBe(422);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    const big = await fetch(`${base}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n: 1, pad: "x".repeat(5000) }) });
    expect(big.status).toBe(413);
  });

  it("aborts the request's signal when the client goes away (ends a long-poll)", async () => {
    const ctl = new AbortController();
    const pending = fetch(`${base}/wait`, { signal: ctl.signal }).catch(() => null);
    await new Promise((r) => setTimeout(r, 200));
    ctl.abort();
    await pending;
    for (let i = 0; i < 50 && aborted === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(aborted).toBe(1);
  });
});
