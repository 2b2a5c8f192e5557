/**
 * An in-process Kubernetes API server for tests and benches: it speaks the list/watch protocol
 * the real `@kubernetes/client-node` informers use (see shared/notes "Kubernetes API without a
 * cluster"): `GET /api/v1/{pods,namespaces}` returns a List with `metadata.resourceVersion`;
 * `?watch=true&resourceVersion=N` streams newline-delimited JSON events from N on, headers
 * flushed at once; a resourceVersion older than the retained history gets `ERROR` 410.
 *
 * Also served, the same way: `GET /api/v1/nodes` (list/watch), and `coordination.k8s.io/v1`
 * Leases — list/watch at `/apis/coordination.k8s.io/v1/leases` and
 * `/apis/coordination.k8s.io/v1/namespaces/{ns}/leases`, `POST` on the namespaced collection
 * (409 AlreadyExists), `GET`/`PUT`/`DELETE` on `.../leases/{name}` (404 when missing; a `PUT`
 * whose `metadata.resourceVersion` is not the stored one gets 409 Conflict, as the real API
 * server's optimistic concurrency does). `cutOff(token)` makes the server unreachable for the
 * clients using that bearer token (their watches end, new requests hang unanswered) until
 * `restore(token)`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string; uid?: string; [k: string]: unknown };
  [k: string]: unknown;
}

type Resource = "pods" | "namespaces" | "nodes" | "leases";
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
  nodes: { kind: "Node", list: "NodeList" },
  leases: { kind: "Lease", list: "LeaseList" },
};

const LEASES_API = "coordination.k8s.io/v1";
const NAMESPACED: ReadonlySet<Resource> = new Set(["pods", "leases"]);

export class FakeApiServer {
  private readonly objects: Record<Resource, Map<string, KubeObject>> = { pods: new Map(), namespaces: new Map(), nodes: new Map(), leases: new Map() };
  private readonly history: StoredEvent[] = [];
  private readonly watchers = new Set<{ resource: Resource; res: ServerResponse; namespace?: string | undefined; token?: string | undefined }>();
  /** Bearer tokens whose clients cannot reach the server (see `cutOff`), with their hanging requests. */
  private readonly cut = new Map<string, Set<ServerResponse>>();
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

  /** A kubeconfig (YAML text) for `KubeConfig.loadFromString` pointing at this server (with `token`, or the server's). */
  kubeconfig(token?: string): string {
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
      `    token: ${token ?? this.token ?? "fake-token"}`,
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
  upsertNode(node: KubeObject): void {
    this.upsert("nodes", { apiVersion: "v1", kind: "Node", ...node });
  }
  deleteNode(name: string): void {
    this.remove("nodes", name);
  }
  /** The stored Leases (every namespace), as clients see them. */
  leases(): KubeObject[] {
    return [...this.objects.leases.values()];
  }
  lease(namespace: string, name: string): KubeObject | undefined {
    return this.objects.leases.get(`${namespace}/${name}`);
  }

  /**
   * Makes the server unreachable for clients presenting `token`: their open watches end and
   * every new request hangs unanswered (as across a network partition) until `restore`.
   */
  cutOff(token: string): void {
    if (!this.cut.has(token)) this.cut.set(token, new Set());
    for (const w of this.watchers) {
      if (w.token === token) {
        w.res.destroy();
        this.watchers.delete(w);
      }
    }
  }

  /** Ends a `cutOff`: the hanging requests fail (connection reset) and new ones are served. */
  restore(token: string): void {
    const hanging = this.cut.get(token);
    this.cut.delete(token);
    for (const res of hanging ?? []) res.destroy();
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
    return NAMESPACED.has(resource) ? `${obj.metadata.namespace ?? "default"}/${obj.metadata.name}` : obj.metadata.name;
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
    for (const w of this.watchers) if (w.resource === ev.resource && (w.namespace === undefined || w.namespace === ev.object.metadata.namespace)) w.res.write(line);
  }

  // --- HTTP --------------------------------------------------------------------------------

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://x");
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const hanging = bearer === undefined ? undefined : this.cut.get(bearer);
    if (hanging) {
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }
    if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Status", code: 401, message: "Unauthorized" }));
      return;
    }
    if (this.failing > 0) {
      this.failing--;
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Status", code: 500, message: "injected failure" }));
      return;
    }
    if (url.pathname === "/api/v1/nodes" || url.pathname.startsWith(`/apis/${LEASES_API}/`)) {
      this.handleMore(req, res, url, bearer);
      return;
    }
    const m = /^\/api\/v1\/(pods|namespaces)$/.exec(url.pathname);
    if (req.method !== "GET" || !m) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Status", code: 404, message: "not found" }));
      return;
    }
    const resource = m[1] as Resource;
    if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
      this.watch(resource, Number(url.searchParams.get("resourceVersion") ?? "0"), res, undefined, bearer);
      return;
    }
    const items = [...this.objects[resource].values()].sort((a, b) => this.key(resource, a).localeCompare(this.key(resource, b)));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ apiVersion: "v1", kind: KIND[resource].list, metadata: { resourceVersion: String(this.rv) }, items }));
  }

  /** Nodes and Leases (list, watch, and the Lease verbs a leader-election client uses). */
  private handleMore(req: IncomingMessage, res: ServerResponse, url: URL, token: string | undefined): void {
    const status = (code: number, reason: string, message: string): void => {
      res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message }));
    };
    const collection = url.pathname === "/api/v1/nodes" ? { resource: "nodes" as const, namespace: undefined } : undefined;
    const leases = new RegExp(`^/apis/${LEASES_API}/(?:namespaces/([^/]+)/)?leases(?:/([^/]+))?$`).exec(url.pathname);
    const target = collection ?? (leases ? { resource: "leases" as const, namespace: leases[1], name: leases[2] } : undefined);
    if (!target) return status(404, "NotFound", "not found");
    const { resource, namespace } = target;
    const name = "name" in target ? target.name : undefined;
    const apiVersion = resource === "leases" ? LEASES_API : "v1";
    if (name === undefined && req.method === "GET") {
      if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
        this.watch(resource, Number(url.searchParams.get("resourceVersion") ?? "0"), res, namespace, token);
        return;
      }
      const items = [...this.objects[resource].values()]
        .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
        .sort((a, b) => this.key(resource, a).localeCompare(this.key(resource, b)));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ apiVersion, kind: KIND[resource].list, metadata: { resourceVersion: String(this.rv) }, items }));
      return;
    }
    if (resource !== "leases" || namespace === undefined) return status(405, "MethodNotAllowed", `${req.method} is not supported here`);
    const key = name === undefined ? undefined : `${namespace}/${name}`;
    const existing = key === undefined ? undefined : this.objects.leases.get(key);
    if (req.method === "GET" && key) {
      if (!existing) return status(404, "NotFound", `leases.coordination.k8s.io "${name}" not found`);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(existing));
      return;
    }
    if (req.method === "DELETE" && key) {
      if (!existing) return status(404, "NotFound", `leases.coordination.k8s.io "${name}" not found`);
      this.remove("leases", key);
      status(200, "", "deleted");
      return;
    }
    if (req.method !== "POST" && req.method !== "PUT") return status(405, "MethodNotAllowed", `${req.method} is not supported here`);
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => {
      let body: KubeObject;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as KubeObject;
      } catch {
        return status(400, "BadRequest", "the body is not JSON");
      }
      if (!body?.metadata?.name) return status(422, "Invalid", "metadata.name is required");
      if (this.cut.has(token ?? "")) return; // cut off while the body was in flight: never answered
      const objName = body.metadata.name;
      const objKey = `${namespace}/${objName}`;
      const current = this.objects.leases.get(objKey);
      if (req.method === "POST") {
        if (name !== undefined) return status(405, "MethodNotAllowed", "POST goes to the collection");
        if (current) return status(409, "AlreadyExists", `leases.coordination.k8s.io "${objName}" already exists`);
      } else {
        if (objName !== name) return status(400, "BadRequest", "the name in the body does not match the URL");
        if (!current) return status(404, "NotFound", `leases.coordination.k8s.io "${objName}" not found`);
        const wanted = body.metadata.resourceVersion;
        if (wanted !== undefined && wanted !== "" && wanted !== current.metadata.resourceVersion) {
          return status(409, "Conflict", `Operation cannot be fulfilled on leases.coordination.k8s.io "${objName}": the object has been modified; please apply your changes to the latest version and try again`);
        }
      }
      const { resourceVersion: _rv, uid: _uid, ...meta } = body.metadata;
      this.upsert("leases", {
        ...body,
        apiVersion: LEASES_API,
        kind: "Lease",
        metadata: { ...meta, namespace, creationTimestamp: current?.metadata.creationTimestamp ?? new Date().toISOString() },
      });
      res.writeHead(req.method === "POST" ? 201 : 200, { "content-type": "application/json" }).end(JSON.stringify(this.objects.leases.get(objKey)));
    });
  }

  private watch(resource: Resource, fromRv: number, res: ServerResponse, namespace?: string, token?: string): void {
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    res.flushHeaders();
    if (fromRv < this.compactedRv) {
      res.end(JSON.stringify({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", code: 410, reason: "Expired", message: "too old resource version" } }) + "\n");
      return;
    }
    for (const ev of this.history) {
      if (ev.resource === resource && ev.rv > fromRv && (namespace === undefined || ev.object.metadata.namespace === namespace)) res.write(JSON.stringify({ type: ev.type, object: ev.object }) + "\n");
    }
    const w = { resource, res, namespace, token };
    this.watchers.add(w);
    res.on("close", () => this.watchers.delete(w));
  }
}
