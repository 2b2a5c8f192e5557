/**
 * An in-test console endpoint for agent bundles, to the same contract as the real one:
 * `GET /api/v1/agent/bundles?cluster=<name>&after=<N>` with `Authorization: Bearer <token>`;
 * answers 200 with the newest SignedBundle when its revision is greater than N, otherwise holds
 * the request up to `holdMs` and answers 204. Bundles are signed with `signBundle`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BUNDLE_FORMAT, signBundle, type SignedBundle } from "../../server/policy/bundle";

export class FakeConsole {
  private server: Server | undefined;
  private latest: { revision: number; body: unknown } | null = null;
  private waiters = new Set<{ after: number; res: ServerResponse; timer: NodeJS.Timeout }>();
  private revision = 0;
  private address = "";
  readonly requests: string[] = [];

  constructor(
    readonly cluster: string,
    private readonly secretKeyHex: string,
    readonly token: string,
    readonly holdMs = 2000,
  ) {}

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.address = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.address;
  }

  /** The URL it listened on (still known after stop(), so clients can keep trying it). */
  get url(): string {
    return this.address;
  }

  async stop(): Promise<void> {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.res.destroy();
    }
    this.waiters.clear();
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Signs and publishes the next revision with these resources; returns the signed bundle. */
  publish(resources: unknown[], opts: { cluster?: string; revision?: number; secretKeyHex?: string } = {}): SignedBundle {
    const revision = opts.revision ?? ++this.revision;
    this.revision = Math.max(this.revision, revision);
    const signed = signBundle(
      { format: BUNDLE_FORMAT, cluster: opts.cluster ?? this.cluster, revision, publishedAt: new Date(0).toISOString(), resources },
      opts.secretKeyHex ?? this.secretKeyHex,
    );
    this.serve(revision, signed);
    return signed;
  }

  /** Serves any body as the bundle of `revision` (for corrupt or forged bundles). */
  serve(revision: number, body: unknown): void {
    this.latest = { revision, body };
    for (const w of [...this.waiters]) {
      if (revision > w.after) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        this.send(w.res, body);
      }
    }
  }

  private send(res: ServerResponse, body: unknown): void {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://x");
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname !== "/api/v1/agent/bundles" || req.method !== "GET") {
      res.writeHead(404).end();
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      res.writeHead(401, { "content-type": "application/problem+json" }).end(JSON.stringify({ title: "unauthorised", status: 401 }));
      return;
    }
    if (url.searchParams.get("cluster") !== this.cluster) {
      res.writeHead(404, { "content-type": "application/problem+json" }).end(JSON.stringify({ title: "unknown cluster", status: 404 }));
      return;
    }
    const after = Number(url.searchParams.get("after") ?? "0");
    if (this.latest && this.latest.revision > after) {
      this.send(res, this.latest.body);
      return;
    }
    const w = {
      after,
      res,
      timer: setTimeout(() => {
        this.waiters.delete(w);
        res.writeHead(204).end();
      }, this.holdMs),
    };
    this.waiters.add(w);
    res.on("close", () => {
      clearTimeout(w.timer);
      this.waiters.delete(w);
    });
  }
}
