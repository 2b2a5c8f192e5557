import { EventEmitter } from "node:events";
import pg from "pg";
import { config } from "../config";
import { log } from "../log";

/**
 * One LISTEN connection per console process. Publishing a revision runs
 * `NOTIFY portcullis_revisions, '<cluster>:<revision>'` in its transaction, so every replica
 * wakes its long-polling agents as soon as the revision commits. The connection reconnects
 * with backoff; waiters also re-check the database on their own timeout, so a missed
 * notification delays an agent by at most one poll, never forever.
 */
export const REVISIONS_CHANNEL = "portcullis_revisions";

class RevisionListener extends EventEmitter {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private backoffMs = 250;

  constructor(private readonly url: string) {
    super();
    this.setMaxListeners(0);
  }

  ensure(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on("notification", (msg) => {
      if (msg.channel !== REVISIONS_CHANNEL || !msg.payload) return;
      const idx = msg.payload.lastIndexOf(":");
      const cluster = msg.payload.slice(0, idx);
      const revision = Number(msg.payload.slice(idx + 1));
      if (Number.isInteger(revision)) this.emit("revision", cluster, revision);
    });
    client.on("error", (err) => {
      if (this.closing) return;
      log.warn("revision listener lost its connection", { error: err.message });
      this.drop(client);
    });
    client.on("end", () => this.drop(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${REVISIONS_CHANNEL}`);
      this.client = client;
      this.backoffMs = 250;
    } catch (err) {
      log.warn("revision listener could not connect", { error: (err as Error).message });
      await client.end().catch(() => {});
      this.scheduleReconnect();
    }
  }

  private closing = false;

  /** Closes the connection for good (process shutdown); no reconnect follows. */
  async close(): Promise<void> {
    this.closing = true;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }

  private drop(client: pg.Client): void {
    if (this.client !== client || this.closing) return;
    this.client = null;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 10_000);
    setTimeout(() => void this.ensure(), delay).unref();
  }
}

const holder = globalThis as unknown as { portcullisRevisionListener?: RevisionListener };

function listener(): RevisionListener {
  if (!holder.portcullisRevisionListener) {
    const url = config().DATABASE_URL ?? process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set");
    holder.portcullisRevisionListener = new RevisionListener(url);
  }
  return holder.portcullisRevisionListener;
}

/**
 * Resolves when a revision newer than `after` is published for `cluster` (true), or when the
 * timeout passes or the signal aborts (false). `check` is called once the listener is armed,
 * so a revision published just before the wait began is not missed.
 */
export async function waitForRevision(
  cluster: string,
  after: number,
  timeoutMs: number,
  check: () => Promise<number>,
  signal?: AbortSignal,
): Promise<boolean> {
  const l = listener();
  await l.ensure();
  return new Promise<boolean>((resolve) => {
    let done = false;
    const finish = (v: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      l.off("revision", onRevision);
      signal?.removeEventListener("abort", onAbort);
      resolve(v);
    };
    const onRevision = (c: string, n: number) => {
      if (c === cluster && n > after) finish(true);
    };
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    l.on("revision", onRevision);
    signal?.addEventListener("abort", onAbort);
    check()
      .then((latest) => {
        if (latest > after) finish(true);
      })
      .catch(() => {});
  });
}

/** Stops this process's LISTEN connection (at shutdown, before the database goes away). */
export async function stopRevisionListener(): Promise<void> {
  await holder.portcullisRevisionListener?.close();
}
