/**
 * Who holds each egress IP: one `coordination.k8s.io/v1` Lease per IP
 * (`portcullis-egress-<ip with dashes>` in a configured namespace), claimed and renewed through
 * the Kubernetes API with the real client, after client-go's leader election:
 *
 * - Every node watches the Leases (informer). A record (holder + renewTime) that has not
 *   changed for `leaseDurationMs` of this node's own clock since it last saw it change is
 *   expired; clocks are never compared across nodes.
 * - An eligible node (the pool's gatewayNodeSelector) creates a missing Lease, or takes over an
 *   expired or released one with a `PUT` carrying the `resourceVersion` it read (a concurrent
 *   writer gets 409 Conflict and loses). Candidates are ranked per IP by a hash of IP and node
 *   name, and a lower-ranked node waits a little longer, so IPs spread over the gateways.
 * - The holder renews every `retryPeriodMs`. It serves the IP (address on its uplink, SNAT) only
 *   until `renewDeadlineMs` after the start of its last successful renew — shorter than the
 *   lease duration, so a holder that cannot reach the API server has fenced itself before any
 *   other node can take the IP over.
 * - Requests that hang (a partition) are abandoned after `requestTimeoutMs`; a late success is
 *   still counted from the time the request started, which is safe.
 */
import { CoordinationV1Api, makeInformer, V1MicroTime, type Informer, type KubeConfig, type ObjectCache, type V1Lease } from "@kubernetes/client-node";
import { createHash } from "node:crypto";

export interface LeaseTiming {
  leaseDurationMs: number;
  /** Stop serving this long after the start of the last successful renew (< leaseDurationMs). */
  renewDeadlineMs: number;
  /** Renew (holder) and retry (others) period. */
  retryPeriodMs: number;
  /** Abandon a request after this long (default retryPeriodMs). */
  requestTimeoutMs?: number | undefined;
}

/** Shipped defaults: failover in about 2 s after the holder's last renew. */
export const DEFAULT_LEASE_TIMING: LeaseTiming = { leaseDurationMs: 2000, renewDeadlineMs: 1333, retryPeriodMs: 667 };

export function timingFor(leaseDurationMs: number): LeaseTiming {
  return { leaseDurationMs, renewDeadlineMs: Math.round((leaseDurationMs * 2) / 3), retryPeriodMs: Math.round(leaseDurationMs / 3) };
}

export function leaseName(ip: string): string {
  return `portcullis-egress-${ip.replace(/[.:]/g, "-")}`;
}

export interface LeaseRecord {
  holder: string | null;
  renewTime: string | null;
  acquireTime: string | null;
  transitions: number;
  resourceVersion: string;
  raw: V1Lease;
}

export interface HolderChange {
  holder: string | null;
  /** ISO time (this node's clock) when this node saw the change. */
  at: string;
}

export interface LeaseView {
  ip: string;
  /** Holder named by the Lease (even if expired), null when none. */
  holder: string | null;
  /** The holder's lease is current (renewed within leaseDurationMs as seen here). */
  valid: boolean;
  /** This node holds the lease and may serve (within its renew deadline). */
  serving: boolean;
  /** ISO time the current holder acquired it (the Lease's acquireTime, else when first seen). */
  since: string | null;
  transitions: number;
  history: HolderChange[];
}

interface Slot {
  ip: string;
  candidates: string[];
  record: LeaseRecord | null | undefined;
  observedAt: number;
  holderSeenAt: number;
  servingUntil: number;
  lastRenewAttempt: number;
  claimableSince: number | null;
  op: number;
  inflight: boolean;
  history: HolderChange[];
}

export interface LeaseKeeperOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  identity: string;
  timing: LeaseTiming;
  /** Called when any view (holder, validity, serving) may have changed. */
  onChange: () => void;
  log?: ((msg: string) => void) | undefined;
}

function rank(ip: string, node: string): string {
  return createHash("sha256").update(`${ip}|${node}`).digest("hex");
}

function errorCode(err: unknown): number | undefined {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === "number" ? c : undefined;
}

export class LeaseKeeper {
  private readonly api: CoordinationV1Api;
  private readonly informer: Informer<V1Lease> & ObjectCache<V1Lease>;
  private readonly slots = new Map<string, Slot>();
  private listed = false;
  private stopped = true;
  private tick: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelay = 200;
  private lastSignature = "";
  private readonly lastLog = new Map<string, number>();
  /** Lease API requests sent (for status). */
  requests = 0;

  constructor(private readonly opts: LeaseKeeperOptions) {
    this.api = opts.kubeConfig.makeApiClient(CoordinationV1Api);
    const path = `/apis/coordination.k8s.io/v1/namespaces/${opts.namespace}/leases`;
    this.informer = makeInformer<V1Lease>(opts.kubeConfig, path, () => this.api.listNamespacedLease({ namespace: opts.namespace }));
    const seen = (l: V1Lease) => {
      const ip = this.ipOfLease(l.metadata?.name);
      if (ip) this.ingest(ip, l);
    };
    this.informer.on("add", seen);
    this.informer.on("update", seen);
    this.informer.on("delete", (l) => {
      const ip = this.ipOfLease(l.metadata?.name);
      const s = ip ? this.slots.get(ip) : undefined;
      if (s) this.setRecord(s, null);
      this.evaluate();
    });
    this.informer.on("connect", () => {
      this.restartDelay = 200;
    });
    this.informer.on("error", (err) => {
      if (this.stopped) return;
      this.logOnce("informer", `lease watch failed, restarting: ${err instanceof Error ? err.message : String(err)}`);
      this.scheduleRestart();
    });
  }

  private get t(): Required<LeaseTiming> {
    return { requestTimeoutMs: this.opts.timing.retryPeriodMs, ...this.opts.timing } as Required<LeaseTiming>;
  }

  private logOnce(key: string, msg: string): void {
    const now = Date.now();
    if ((this.lastLog.get(key) ?? 0) + 5000 > now) return;
    this.lastLog.set(key, now);
    this.opts.log?.(msg);
  }

  private ipOfLease(name: string | undefined): string | undefined {
    if (!name) return undefined;
    for (const ip of this.slots.keys()) if (leaseName(ip) === name) return ip;
    return undefined;
  }

  /** The egress IPs to track and, for each, the nodes that may hold it. */
  setDesired(desired: ReadonlyMap<string, { gatewayNodes: readonly string[] }>): void {
    for (const [ip, d] of desired) {
      let s = this.slots.get(ip);
      if (!s) {
        s = { ip, candidates: [], record: undefined, observedAt: 0, holderSeenAt: 0, servingUntil: 0, lastRenewAttempt: 0, claimableSince: null, op: 0, inflight: false, history: [] };
        this.slots.set(ip, s);
        const cached = this.informer.get(leaseName(ip), this.opts.namespace);
        if (this.listed) this.setRecord(s, cached ? this.toRecord(cached) : null);
      }
      s.candidates = [...d.gatewayNodes];
    }
    for (const [ip, s] of this.slots) {
      if (desired.has(ip)) continue;
      // No longer assigned: give it back if we hold it, then forget it.
      if (s.record?.holder === this.opts.identity) void this.release(s);
      this.slots.delete(ip);
    }
    this.evaluate();
  }

  ready(): boolean {
    return this.listed;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.runInformer();
    const every = Math.max(20, Math.min(100, Math.floor(this.t.retryPeriodMs / 4)));
    this.tick = setInterval(() => this.evaluate(), every);
  }

  /** Stops renewing and serving at once; with `release`, hands held leases back first (fast, planned handover). */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.tick) clearInterval(this.tick);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.tick = undefined;
    this.restartTimer = undefined;
    for (const s of this.slots.values()) s.servingUntil = 0;
    if (opts.release) await Promise.all([...this.slots.values()].filter((s) => s.record?.holder === this.opts.identity).map((s) => this.release(s)));
    await this.informer.stop().catch(() => undefined);
  }

  private async runInformer(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.informer.start();
      this.listed = true;
      for (const s of this.slots.values()) {
        const cached = this.informer.get(leaseName(s.ip), this.opts.namespace);
        this.setRecord(s, cached ? this.toRecord(cached) : null);
      }
      this.evaluate();
    } catch (err) {
      if (this.stopped) return;
      this.logOnce("informer", `lease list failed, retrying: ${err instanceof Error ? err.message : String(err)}`);
      this.scheduleRestart();
    }
  }

  private scheduleRestart(): void {
    if (this.restartTimer || this.stopped) return;
    const delay = this.restartDelay;
    this.restartDelay = Math.min(this.restartDelay * 2, 2000);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.runInformer();
    }, delay);
  }

  private toRecord(l: V1Lease): LeaseRecord {
    const time = (v: unknown) => (v === undefined || v === null ? null : v instanceof Date ? v.toISOString() : String(v));
    return {
      holder: l.spec?.holderIdentity || null,
      renewTime: time(l.spec?.renewTime),
      acquireTime: time(l.spec?.acquireTime),
      transitions: l.spec?.leaseTransitions ?? 0,
      resourceVersion: l.metadata?.resourceVersion ?? "",
      raw: l,
    };
  }

  private ingest(ip: string, l: V1Lease): void {
    const s = this.slots.get(ip);
    if (!s) return;
    const rec = this.toRecord(l);
    const cur = s.record;
    if (cur && /^\d+$/.test(cur.resourceVersion) && /^\d+$/.test(rec.resourceVersion) && BigInt(rec.resourceVersion) < BigInt(cur.resourceVersion)) return;
    this.setRecord(s, rec);
    this.evaluate();
  }

  private setRecord(s: Slot, rec: LeaseRecord | null): void {
    const now = Date.now();
    const prev = s.record;
    if (prev === undefined || prev === null || rec === null || prev.holder !== rec.holder || prev.renewTime !== rec.renewTime) s.observedAt = now;
    const prevHolder = prev ? prev.holder : null;
    const nextHolder = rec ? rec.holder : null;
    if (prev === undefined || prevHolder !== nextHolder) {
      s.holderSeenAt = now;
      if (prev !== undefined || nextHolder !== null) {
        s.history.push({ holder: nextHolder, at: new Date(now).toISOString() });
        if (s.history.length > 20) s.history.splice(0, s.history.length - 20);
      }
      if (nextHolder !== this.opts.identity) s.servingUntil = 0;
    }
    s.record = rec;
  }

  private expired(s: Slot, now: number): boolean {
    return !s.record || !s.record.holder || now - s.observedAt >= this.t.leaseDurationMs;
  }

  view(ip: string): LeaseView | undefined {
    const s = this.slots.get(ip);
    if (!s) return undefined;
    const now = Date.now();
    const holder = s.record?.holder ?? null;
    const valid = holder !== null && this.listed && !this.expired(s, now);
    return {
      ip,
      holder,
      valid,
      serving: !this.stopped && holder === this.opts.identity && now < s.servingUntil,
      since: holder === null ? null : (s.record?.acquireTime ?? new Date(s.holderSeenAt).toISOString()),
      transitions: s.record?.transitions ?? 0,
      history: [...s.history],
    };
  }

  views(): LeaseView[] {
    return [...this.slots.keys()].sort().map((ip) => this.view(ip)!);
  }

  /** Re-checks every IP: acts on the API when due, and reports view changes. */
  private evaluate(): void {
    if (!this.stopped) {
      const now = Date.now();
      for (const s of this.slots.values()) this.act(s, now);
    }
    const sig = this.views()
      .map((v) => `${v.ip}:${v.holder}:${v.valid}:${v.serving}`)
      .join(",");
    if (sig !== this.lastSignature) {
      this.lastSignature = sig;
      this.opts.onChange();
    }
  }

  private act(s: Slot, now: number): void {
    if (s.inflight || !this.listed || s.record === undefined) return;
    const me = this.opts.identity;
    const eligible = s.candidates.includes(me);
    const rec = s.record;
    if (rec && rec.holder === me) {
      if (!eligible) {
        void this.release(s);
        return;
      }
      if (now - s.lastRenewAttempt >= this.t.retryPeriodMs) this.renew(s, rec);
      return;
    }
    if (!eligible) return;
    const claimable = rec === null || this.expired(s, now);
    if (!claimable) {
      s.claimableSince = null;
      return;
    }
    s.claimableSince ??= now;
    // Rank among the candidates other than the current (failed) holder: lower ranks wait longer.
    const others = s.candidates.filter((c) => c !== rec?.holder).sort((a, b) => rank(s.ip, a).localeCompare(rank(s.ip, b)));
    const position = Math.max(0, others.indexOf(me));
    if (now - s.claimableSince < position * (this.t.retryPeriodMs / 2)) return;
    if (now - s.lastRenewAttempt < this.t.retryPeriodMs / 2) return;
    if (rec === null) this.create(s);
    else this.takeOver(s, rec);
  }

  private body(s: Slot, base: V1Lease | undefined, patch: { holder: string; acquire: boolean; transitions: number }): V1Lease {
    const now = new V1MicroTime(Date.now());
    const name = leaseName(s.ip);
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        ...(base?.metadata ?? {}),
        name,
        namespace: this.opts.namespace,
        labels: { ...(base?.metadata?.labels ?? {}), "app.kubernetes.io/managed-by": "portcullis-agent" },
        annotations: { ...(base?.metadata?.annotations ?? {}), "portcullis.dev/egress-ip": s.ip },
      },
      spec: {
        ...(base?.spec ?? {}),
        holderIdentity: patch.holder,
        leaseDurationSeconds: Math.max(1, Math.ceil(this.t.leaseDurationMs / 1000)),
        ...(patch.acquire ? { acquireTime: now } : {}),
        renewTime: now,
        leaseTransitions: patch.transitions,
      },
    };
  }

  private create(s: Slot): void {
    const body = this.body(s, undefined, { holder: this.opts.identity, acquire: true, transitions: 0 });
    delete body.metadata!.resourceVersion;
    this.request(s, true, () => this.api.createNamespacedLease({ namespace: this.opts.namespace, body }));
  }

  private takeOver(s: Slot, rec: LeaseRecord): void {
    const body = this.body(s, rec.raw, { holder: this.opts.identity, acquire: true, transitions: rec.transitions + (rec.holder ? 1 : 0) });
    this.opts.log?.(`egress ${s.ip}: taking over the lease from ${rec.holder ?? "nobody"}`);
    this.request(s, true, () => this.api.replaceNamespacedLease({ name: leaseName(s.ip), namespace: this.opts.namespace, body }));
  }

  private renew(s: Slot, rec: LeaseRecord): void {
    const body = this.body(s, rec.raw, { holder: this.opts.identity, acquire: false, transitions: rec.transitions });
    this.request(s, true, () => this.api.replaceNamespacedLease({ name: leaseName(s.ip), namespace: this.opts.namespace, body }));
  }

  private async release(s: Slot): Promise<void> {
    s.servingUntil = 0;
    const rec = s.record;
    if (!rec || rec.holder !== this.opts.identity) return;
    const body = this.body(s, rec.raw, { holder: "", acquire: false, transitions: rec.transitions });
    body.spec!.holderIdentity = undefined;
    this.opts.log?.(`egress ${s.ip}: releasing the lease`);
    await this.request(s, false, () => this.api.replaceNamespacedLease({ name: leaseName(s.ip), namespace: this.opts.namespace, body }));
  }

  /** One lease write: at most one in flight per IP (abandoned after the request timeout). */
  private request(s: Slot, claim: boolean, send: () => Promise<V1Lease>): Promise<void> {
    const started = Date.now();
    s.lastRenewAttempt = started;
    s.inflight = true;
    const op = ++s.op;
    this.requests++;
    const timer = setTimeout(() => {
      if (s.op === op) s.inflight = false;
    }, this.t.requestTimeoutMs);
    return send()
      .then((lease) => {
        if (claim && (lease.spec?.holderIdentity ?? null) === this.opts.identity) {
          s.servingUntil = Math.max(s.servingUntil, started + this.t.renewDeadlineMs);
        }
        this.ingest(s.ip, lease);
      })
      .catch((err: unknown) => {
        const code = errorCode(err);
        if (code === 409 || code === 404) {
          // Someone else wrote first (or it is gone): re-read before deciding again.
          this.requests++;
          return this.api.readNamespacedLease({ name: leaseName(s.ip), namespace: this.opts.namespace }).then(
            (l) => this.ingest(s.ip, l),
            (e: unknown) => {
              if (errorCode(e) === 404 && this.slots.get(s.ip) === s) {
                this.setRecord(s, null);
                this.evaluate();
              }
            },
          );
        }
        this.logOnce(`req:${s.ip}`, `egress ${s.ip}: lease request failed: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
      })
      .finally(() => {
        clearTimeout(timer);
        if (s.op === op) s.inflight = false;
        this.evaluate();
      });
  }
}
