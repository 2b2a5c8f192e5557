/**
 * DNS policy in the agent (issue #7): the learned cache, the supervised proxy and the redirect,
 * wired to the reconcile loop.
 *
 *   pod ──53/udp,tcp to a cluster resolver──> nft `dns_redirect` (nat prerouting, dnat/redirect)
 *       ──> proxy (this node) ──> trusted upstream resolvers
 *   answer ──> `LearnedCache.learn()` ──batched change──> `Reconciler.applyNow()` ──> nft timeout
 *       sets updated (elements only) ──> answer released to the pod (conntrack un-NATs it, so
 *       the pod sees it come from the resolver address it asked).
 *
 * - The compiler's domain sets (with the pods each one serves as `clientIps`) reach the cache
 *   through `setDomainSets()` before every apply.
 * - Every learned address becomes an nft element whose timeout is the cache's expiry
 *   (`max(ttl, floor) + grace`); the kernel drops it on time on its own.
 * - The cache is persisted in the state directory and loaded before the first apply, so a
 *   restarted agent puts the addresses it had learned back (minus the expired ones).
 * - Fail mode (see `supervisor.ts`): "closed" keeps the redirect while the proxy is down,
 *   "open" empties the redirect's resolver set (an element change) until the proxy is back.
 */
import { type DnsRedirectConfig, type DomainSetSpec } from "../compiler/compile";
import { LearnedCache, type LearnedCacheStats } from "./learned-cache";
import type { HostPort } from "./proxy";
import { startDnsSupervisor, type DnsFailMode, type DnsSupervisor, type DnsSupervisorStats } from "./supervisor";

export interface AgentDnsOptions {
  /** Cluster resolver addresses (IP literals): pods' DNS to them on port 53 is redirected. */
  resolvers: string[];
  /** Trusted upstreams the proxy forwards to (default: every resolver on port 53). */
  upstreams?: HostPort[] | undefined;
  /** Where the proxy listens on this node (a fixed port; `0.0.0.0`/`::` = redirect mode). */
  listen: HostPort;
  /** Default "closed". */
  failMode?: DnsFailMode | undefined;
  /** Learned-cache TTL floor and grace, in seconds (defaults 2 and 30). */
  floorSeconds?: number | undefined;
  graceSeconds?: number | undefined;
  /** Longest wait for the nft update before an answer is released anyway (default 1000 ms). */
  hookTimeoutMs?: number | undefined;
  /** Learned entries kept in all (default 200 000). */
  maxEntries?: number | undefined;
  /** Proxy restart delay after a crash (default 50 ms, doubling up to 1000 ms). */
  restartDelayMs?: number | undefined;
}

export interface AgentDnsDeps {
  stateDir: string;
  /** Applies the current state now; resolves once applied (the reconciler's `applyNow`). */
  applyNow: () => Promise<void>;
  markDirty: () => void;
  log: (msg: string) => void;
}

export interface LearnedEntryStatus {
  set: string;
  name: string;
  ip: string;
  family: 4 | 6;
  expiresAt: string;
}

export interface AgentDnsStatus {
  failMode: DnsFailMode;
  redirectActive: boolean;
  listen: HostPort;
  resolvers: readonly string[];
  /** Proxy supervisor and counters summed over every proxy run; null before the first start. */
  proxy: DnsSupervisorStats | null;
  cache: LearnedCacheStats;
  domainSets: number;
  /** Learned names and addresses, latest expiry first (at most `STATUS_LEARNED_LIMIT`). */
  learned: { total: number; entries: LearnedEntryStatus[] };
}

export const STATUS_LEARNED_LIMIT = 500;

export class AgentDns {
  readonly cache: LearnedCache;
  private supervisorRef: DnsSupervisor | undefined;
  private loaded = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private lastSets = "";
  private domainSetCount = 0;
  private readonly failMode: DnsFailMode;

  constructor(
    readonly opts: AgentDnsOptions,
    private readonly deps: AgentDnsDeps,
  ) {
    if (opts.resolvers.length === 0) throw new TypeError("DNS policy needs at least one cluster resolver address");
    if (!(opts.listen.port > 0)) throw new TypeError("the DNS proxy needs a fixed listen port (the redirect points at it)");
    this.failMode = opts.failMode ?? "closed";
    this.cache = new LearnedCache({
      floorSeconds: opts.floorSeconds,
      graceSeconds: opts.graceSeconds,
      maxEntries: opts.maxEntries,
      stateDir: deps.stateDir,
      onChange: () => deps.applyNow(),
    });
  }

  /** The supervisor, once the proxy has started. */
  get supervisor(): DnsSupervisor | undefined {
    return this.supervisorRef;
  }

  compilerConfig(): DnsRedirectConfig {
    return { resolvers: [...this.opts.resolvers], proxy: { ...this.opts.listen } };
  }

  /** True once the persisted cache is loaded (the reconciler waits for it before the first apply). */
  ready(): boolean {
    return this.loaded;
  }

  redirectActive(): boolean {
    return this.supervisorRef ? this.supervisorRef.redirectActive() : this.failMode === "closed";
  }

  /** The learned state in the shape of the compiler's `ClusterState` fields. */
  clusterInputs(): { dns: Map<string, string[]>; dnsExpiry: Map<string, Map<string, number>>; dnsRedirect: boolean } {
    const dns = new Map<string, string[]>();
    const dnsExpiry = new Map<string, Map<string, number>>();
    for (const [id, els] of this.cache.elements()) {
      dns.set(id, els.map((e) => e.ip));
      dnsExpiry.set(id, new Map(els.map((e) => [e.ip, e.expiresAt])));
    }
    return { dns, dnsExpiry, dnsRedirect: this.redirectActive() };
  }

  /** Hands the compiled domain sets to the cache when they changed. */
  setDomainSets(sets: DomainSetSpec[]): void {
    const key = JSON.stringify(sets);
    if (key === this.lastSets) return;
    this.lastSets = key;
    this.domainSetCount = sets.length;
    for (const bad of this.cache.setDomainSets(sets)) this.deps.log(`domain set ${bad.id}: pattern ${JSON.stringify(bad.pattern)} ignored: ${bad.message}`);
  }

  /** Loads the persisted answers, then starts the proxy (retrying while it cannot bind). */
  async start(): Promise<void> {
    try {
      const n = await this.cache.load();
      if (n > 0) this.deps.log(`reloaded ${n} learned DNS addresses`);
    } catch (err) {
      this.deps.log(`cannot load learned DNS addresses: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.loaded = true;
    this.deps.markDirty();
    await this.startProxy();
  }

  private async startProxy(): Promise<void> {
    if (this.stopped) return;
    const o = this.opts;
    try {
      const sup = await startDnsSupervisor({
        listen: o.listen,
        upstreams: o.upstreams ?? o.resolvers.map((host) => ({ host, port: 53 })),
        hooks: { onAnswer: (a) => this.cache.learn(a).then(() => undefined) },
        failMode: this.failMode,
        hookTimeoutMs: o.hookTimeoutMs ?? 1000,
        restartDelayMs: o.restartDelayMs,
        onHealthChange: (healthy, error) => {
          this.deps.log(healthy ? "DNS proxy serving again" : `DNS proxy down: ${error?.message ?? "stopped"}`);
          this.deps.markDirty();
        },
      });
      if (this.stopped) {
        await sup.stop();
        return;
      }
      this.supervisorRef = sup;
      this.deps.log(`DNS proxy listening on ${o.listen.host}:${o.listen.port} (fail ${this.failMode})`);
      this.deps.markDirty();
    } catch (err) {
      this.deps.log(`DNS proxy cannot start, retrying: ${err instanceof Error ? err.message : String(err)}`);
      if (!this.stopped) this.retry = setTimeout(() => void this.startProxy(), 1000);
    }
  }

  /** Stops the proxy, delivers pending changes and saves the cache. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.supervisorRef?.stop();
    await this.cache.close().catch((err: unknown) => this.deps.log(`cannot save learned DNS addresses: ${err instanceof Error ? err.message : String(err)}`));
  }

  status(): AgentDnsStatus {
    const all = this.cache.list();
    return {
      failMode: this.failMode,
      redirectActive: this.redirectActive(),
      listen: { ...this.opts.listen },
      resolvers: [...this.opts.resolvers],
      proxy: this.supervisorRef?.stats() ?? null,
      cache: this.cache.stats(),
      domainSets: this.domainSetCount,
      learned: {
        total: all.length,
        entries: all.slice(0, STATUS_LEARNED_LIMIT).map((e) => ({ set: e.setId, name: e.name, ip: e.ip, family: e.family, expiresAt: new Date(e.expiresAt).toISOString() })),
      },
    };
  }
}
