/**
 * An in-process Kubernetes API server for tests and benches: it speaks the list/watch protocol
 * the real `@kubernetes/client-node` informers use (see shared/notes "Kubernetes API without a
 * cluster"): `GET /api/v1/{pods,namespaces}` returns a List with `metadata.resourceVersion`;
 * `?watch=true&resourceVersion=N` streams newline-delimited JSON events from N on, headers
 * flushed at once; a resourceVersion older than the retained history gets `ERROR` 410.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string; uid?: string; [k: string]: unknown };
  [k: string]: unknown;
}

type Resource = "pods" | "namespaces";
type EventType = "ADDED" | "MODIFIED" | "DELETED";

interface StoredEvent {
  rv: number;
  resource: Resource;
  type: EventType;
  object: KubeObject;
}

const KIND: Record<Resource, { kind: string; list: string }> = {
  pods: { kind: "Pod", list: "PodList" },
  namespaces: { kind: "Namespace", list: "NamespaceList" },
};

export class FakeApiServer {
  private readonly objects: Record<Resource, Map<string, KubeObject>> = { pods: new Map(), namespaces: new Map() };
  private readonly history: StoredEvent[] = [];
  private readonly watchers = new Set<{ resource: Resource; res: ServerResponse }>();
  private rv = 1;
  /** Events at or below this resourceVersion are forgotten: watches from older versions get 410. */
  private compactedRv = 0;
  private server: Server | undefined;
  /** Requests seen, for assertions ("did the client list / watch"). */
  readonly requests: string[] = [];
  /** The next this-many requests are answered 500 (the informer then emits `error` and stops). */
  private failing = 0;
  /** Bearer token required on every request when set. */
  token: string | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.closeWatches();
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** A kubeconfig (YAML text) for `KubeConfig.loadFromString` pointing at this server. */
  kubeconfig(): string {
    return [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: fake",
      "  cluster:",
      `    server: ${this.url}`,
      "    insecure-skip-tls-verify: true",
      "users:",
      "- name: agent",
      "  user:",
      `    token: ${this.token ?? "fake-token"}`,
      "contexts:",
      "- name: fake",
      "  context: {cluster: fake, user: agent}",
      "current-context: fake",
      "",
    ].join("\n");
  }

  // --- mutations --------------------------------------------------------------------------

  upsertPod(pod: KubeObject): void {
    this.upsert("pods", { apiVersion: "v1", kind: "Pod", ...pod });
  }
  deletePod(namespace: string, name: string): void {
    this.remove("pods", `${namespace}/${name}`);
  }
  upsertNamespace(ns: KubeObject): void {
    this.upsert("namespaces", { apiVersion: "v1", kind: "Namespace", ...ns });
  }
  deleteNamespace(name: string): void {
    this.remove("namespaces", name);
  }
  pods(): KubeObject[] {
    return [...this.objects.pods.values()];
  }

  /** Ends every open watch stream (the client re-watches from its last resourceVersion). */
  closeWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  /** Forgets the event history: the next re-watch from an older version gets ERROR 410 and relists. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history.length = 0;
  }

  /** Sends an ERROR event with the given code on every open watch, then ends the streams. */
  failWatches(code: number): void {
    for (const w of this.watchers) {
      w.res.end(JSON.stringify({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", code, message: `injected ${code}` } }) + "\n");
    }
    this.watchers.clear();
  }

  /** Answers the next `count` requests with 500 Internal Server Error. */
  failRequests(count: number): void {
    this.failing = count;
  }

  private key(resource: Resource, obj: KubeObject): string {
    return resource === "pods" ? `${obj.metadata.namespace ?? "default"}/${obj.metadata.name}` : obj.metadata.name;
  }

  private upsert(resource: Resource, obj: KubeObject): void {
    const key = this.key(resource, obj);
    const existed = this.objects[resource].get(key);
    const rv = ++this.rv;
    const stored: KubeObject = {
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: String(rv), uid: existed?.metadata.uid ?? `uid-${resource}-${key}-${rv}` },
    };
    if (resource === "pods" && stored.metadata.namespace === undefined) stored.metadata.namespace = "default";
    this.objects[resource].set(key, stored);
    this.emit({ rv, resource, type: existed ? "MODIFIED" : "ADDED", object: stored });
  }

  private remove(resource: Resource, key: string): void {
    const existed = this.objects[resource].get(key);
    if (!existed) return;
    this.objects[resource].delete(key);
    const rv = ++this.rv;
    this.emit({ rv, resource, type: "DELETED", object: { ...existed, metadata: { ...existed.metadata, resourceVersion: String(rv) } } });
  }

  private emit(ev: StoredEvent): void {
    this.history.push(ev);
    const line = JSON.stringify({ type: ev.type, object: ev.object }) + "\n";
    for (const w of this.watchers) if (w.resource === ev.resource) w.res.write(line);
  }

  // --- HTTP --------------------------------------------------------------------------------

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://x");
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Status", code: 401, message: "Unauthorized" }));
      return;
    }
    if (this.failing > 0) {
      this.failing--;
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Status", code: 500, message: "injected failure" }));
      return;
    }
    const m = /^\/api\/v1\/(pods|namespaces)$/.exec(url.pathname);
    if (req.method !== "GET" || !m) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Status", code: 404, message: "not found" }));
      return;
    }
    const resource = m[1] as Resource;
    if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
      this.watch(resource, Number(url.searchParams.get("resourceVersion") ?? "0"), res);
      return;
    }
    const items = [...this.objects[resource].values()].sort((a, b) => this.key(resource, a).localeCompare(this.key(resource, b)));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ apiVersion: "v1", kind: KIND[resource].list, metadata: { resourceVersion: String(this.rv) }, items }));
  }

  private watch(resource: Resource, fromRv: number, res: ServerResponse): void {
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    res.flushHeaders();
    if (fromRv < this.compactedRv) {
      res.end(JSON.stringify({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", code: 410, reason: "Expired", message: "too old resource version" } }) + "\n");
      return;
    }
    for (const ev of this.history) {
      if (ev.resource === resource && ev.rv > fromRv) res.write(JSON.stringify({ type: ev.type, object: ev.object }) + "\n");
    }
    const w = { resource, res };
    this.watchers.add(w);
    res.on("close", () => this.watchers.delete(w));
  }
}
