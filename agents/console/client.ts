/**
 * The agent's side of the console protocol, besides bundle delivery (agents/bundle):
 *   POST /api/v1/agent/register   bootstrap token -> the agent's own credential (once)
 *   POST /api/v1/agent/status     heartbeat: applied revision, bundle hash, error, counts, counters
 *   PUT  /api/v1/agent/inventory  namespaces and the pods on this node
 * Used by the agent (agents/main.ts) and by the fan-out benchmark's simulated agents.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ConsoleError";
  }
}

async function send(url: string, init: { method: string; token: string; body: unknown; signal?: AbortSignal }): Promise<unknown> {
  const res = await fetch(url, {
    method: init.method,
    headers: { authorization: `Bearer ${init.token}`, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(init.body),
    signal: init.signal,
  });
  const text = await res.text();
  if (!res.ok) {
    let detail = text;
    try {
      detail = (JSON.parse(text) as { detail?: string }).detail ?? text;
    } catch {
      // not a problem document
    }
    throw new ConsoleError(res.status, `${init.method} ${new URL(url).pathname}: ${res.status} ${detail}`);
  }
  return text ? (JSON.parse(text) as unknown) : null;
}

/** Exchanges a bootstrap token for this node's credential. */
export async function register(consoleUrl: string, bootstrapToken: string, body: { cluster: string; nodeName: string; version: string }): Promise<{ agentId: string; credential: string }> {
  return (await send(new URL("/api/v1/agent/register", consoleUrl).toString(), { method: "POST", token: bootstrapToken, body })) as { agentId: string; credential: string };
}

/**
 * The credential the agent uses: read from `credentialFile` when it exists; otherwise obtained
 * once with the bootstrap token and stored there (0600), so restarts do not register again.
 */
export async function ensureCredential(opts: {
  consoleUrl: string;
  credentialFile: string;
  bootstrapTokenFile?: string;
  cluster: string;
  nodeName: string;
  version: string;
}): Promise<string> {
  if (existsSync(opts.credentialFile)) {
    const c = readFileSync(opts.credentialFile, "utf8").trim();
    if (c) return c;
  }
  if (!opts.bootstrapTokenFile || !existsSync(opts.bootstrapTokenFile)) {
    throw new Error(`no agent credential at ${opts.credentialFile} and no bootstrap token to obtain one`);
  }
  const token = readFileSync(opts.bootstrapTokenFile, "utf8").trim();
  const { credential } = await register(opts.consoleUrl, token, { cluster: opts.cluster, nodeName: opts.nodeName, version: opts.version });
  mkdirSync(path.dirname(opts.credentialFile), { recursive: true });
  const tmp = `${opts.credentialFile}.tmp`;
  writeFileSync(tmp, credential + "\n", { mode: 0o600 });
  renameSync(tmp, opts.credentialFile);
  return credential;
}

export interface StatusReport {
  version?: string;
  appliedRevision: number | null;
  bundleSha256: string | null;
  lastError: string | null;
  rules?: number;
  sets?: number;
  setElements?: number;
  counters?: Record<string, number>;
  dns?: Record<string, unknown>;
  egress?: Record<string, unknown>;
}

export interface InventoryReport {
  namespaces: Array<{ name: string; labels: Record<string, string> }>;
  pods: Array<{
    namespace: string;
    name: string;
    labels: Record<string, string>;
    serviceAccount: string;
    podIps: string[];
    ports: Array<{ name: string; port: number; protocol: "TCP" | "UDP" | "SCTP" }>;
    phase: string;
  }>;
}

export function reportStatus(consoleUrl: string, credential: string, body: StatusReport, signal?: AbortSignal): Promise<unknown> {
  return send(new URL("/api/v1/agent/status", consoleUrl).toString(), { method: "POST", token: credential, body, signal });
}

export function reportInventory(consoleUrl: string, credential: string, body: InventoryReport, signal?: AbortSignal): Promise<unknown> {
  return send(new URL("/api/v1/agent/inventory", consoleUrl).toString(), { method: "PUT", token: credential, body, signal });
}

/**
 * Sends heartbeats every `intervalMs` and at once when what the agent enforces changes (call
 * `poke()`), and the inventory whenever its fingerprint changes (debounced). Failures are kept
 * in `lastError` and retried on the next tick; they never affect enforcement.
 */
export class ConsoleReporter {
  private timer: NodeJS.Timeout | undefined;
  private lastStatus = "";
  private lastInventory = "";
  private running = false;
  private again = false;
  private readonly abort = new AbortController();
  lastError: string | null = null;
  sent = { status: 0, inventory: 0, failures: 0 };

  constructor(
    private readonly opts: {
      consoleUrl: string;
      credential: () => string;
      status: () => StatusReport | Promise<StatusReport>;
      inventory: () => InventoryReport | null;
      intervalMs?: number;
    },
  ) {}

  start(): void {
    const every = this.opts.intervalMs ?? 15_000;
    this.timer = setInterval(() => this.poke(true), every);
    this.timer.unref();
    this.poke(true);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
  }

  /** Reports now if anything changed (or always, for a heartbeat). */
  poke(heartbeat = false): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.tick(heartbeat).finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.poke(false);
      }
    });
  }

  private async tick(heartbeat: boolean): Promise<void> {
    const credential = this.opts.credential();
    try {
      const status = await this.opts.status();
      const key = JSON.stringify([status.appliedRevision, status.bundleSha256, status.lastError]);
      if (heartbeat || key !== this.lastStatus) {
        await reportStatus(this.opts.consoleUrl, credential, status, this.abort.signal);
        this.lastStatus = key;
        this.sent.status++;
      }
      const inv = this.opts.inventory();
      if (inv) {
        const fp = JSON.stringify(inv);
        if (fp !== this.lastInventory) {
          await reportInventory(this.opts.consoleUrl, credential, inv, this.abort.signal);
          this.lastInventory = fp;
          this.sent.inventory++;
        }
      }
      this.lastError = null;
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.sent.failures++;
      this.lastError = err instanceof Error ? err.message : String(err);
      // Try again soon rather than at the next heartbeat, so the console learns what we enforce.
      setTimeout(() => this.poke(false), 1000 + Math.random() * 1000).unref();
    }
  }
}
