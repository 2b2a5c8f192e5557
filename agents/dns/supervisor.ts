/**
 * Keeps the DNS proxy running: when it dies (a listening socket errors or closes
 * unexpectedly) a new one is started on the same address — after `restartDelayMs`, doubling
 * on consecutive failures up to `maxRestartDelayMs` — so DNS recovers within a second.
 *
 * ## Fail mode (what the agent does with `failMode` / `redirectActive()`)
 *
 * The agent owns the nft rule that redirects pods' DNS (to the cluster resolver, 53/udp and
 * 53/tcp) to this proxy. The supervisor does not program nft; it states, as data, whether that
 * redirect should be in place, and reports every change through `onHealthChange`:
 *
 * - `"closed"` (default): the redirect stays installed whatever the proxy's health. While the
 *   proxy is down pods' DNS queries go unanswered (resolvers retry; the restart takes well
 *   under a second), so no pod ever resolves a name whose addresses were not learned first.
 *   Domain policy can never be raced or bypassed.
 * - `"open"`: while the proxy is unhealthy (`redirectActive()` false) the agent removes the
 *   redirect, so pods reach the cluster resolver directly and DNS keeps working; it puts the
 *   redirect back when `onHealthChange(true)` fires. Policy stays enforced: answers received
 *   during the outage are not learned, so connections to addresses that only those answers
 *   revealed are denied until the name is resolved again through the proxy. "Open" is about
 *   DNS availability, never about allowing traffic.
 */
import { startDnsProxy, zeroProxyCounters, type DnsProxy, type DnsProxyOptions, type DnsProxyStats, type HostPort } from "./proxy";

export type DnsFailMode = "closed" | "open";

export interface DnsSupervisorOptions extends DnsProxyOptions {
  /** Default "closed"; see the module comment. */
  failMode?: DnsFailMode;
  /** Delay before the first restart attempt (default 50 ms). */
  restartDelayMs?: number;
  /** Cap of the doubling restart delay (default 1000 ms). */
  maxRestartDelayMs?: number;
  /** A proxy that ran this long resets the restart backoff (default 10 000 ms). */
  stableAfterMs?: number;
  /** Called when the proxy goes down (`false`, with the cause) and when it is back (`true`). */
  onHealthChange?: (healthy: boolean, error?: Error) => void;
  /** How to start a proxy (default `startDnsProxy`); injectable for tests. */
  startProxy?: (opts: DnsProxyOptions) => Promise<DnsProxy>;
}

export interface DnsSupervisorStats {
  healthy: boolean;
  /** Proxies started after the first one. */
  restarts: number;
  /** Restart attempts that failed (e.g. the port was briefly unavailable). */
  failedStarts: number;
  lastError: string | undefined;
  /** Counters summed over every proxy this supervisor ran (gauges are the current proxy's). */
  proxy: DnsProxyStats;
}

export interface DnsSupervisor {
  readonly failMode: DnsFailMode;
  /** True while a proxy is serving. */
  healthy(): boolean;
  /** Whether the agent's DNS redirect should be installed now: always for "closed", `healthy()` for "open". */
  redirectActive(): boolean;
  /** The address the proxy serves on (stable across restarts). */
  address(): HostPort;
  /** The proxy currently serving, if any. */
  current(): DnsProxy | undefined;
  stats(): DnsSupervisorStats;
  /** Stops the proxy and the restarts. */
  stop(): Promise<void>;
}

const GAUGES = new Set<keyof DnsProxyStats>(["inFlight", "tcpConnections"]);

function addStats(into: DnsProxyStats, from: DnsProxyStats): void {
  for (const k of Object.keys(from) as Array<keyof DnsProxyStats>) if (!GAUGES.has(k)) into[k] += from[k];
}

const zeroStats = (): DnsProxyStats => ({ ...zeroProxyCounters(), inFlight: 0, tcpConnections: 0 });

/**
 * Starts the proxy under supervision. Rejects if the first start fails (bad options, address
 * unavailable): that is a configuration error for the agent to report, not something to retry.
 */
export async function startDnsSupervisor(opts: DnsSupervisorOptions): Promise<DnsSupervisor> {
  const start = opts.startProxy ?? startDnsProxy;
  const failMode = opts.failMode ?? "closed";
  const baseDelay = opts.restartDelayMs ?? 50;
  const maxDelay = opts.maxRestartDelayMs ?? 1000;
  const stableAfter = opts.stableAfterMs ?? 10_000;
  const proxyOpts: DnsProxyOptions = {
    listen: opts.listen,
    upstreams: opts.upstreams,
    hooks: opts.hooks,
    upstreamTimeoutMs: opts.upstreamTimeoutMs,
    hookTimeoutMs: opts.hookTimeoutMs,
    maxPacketBytes: opts.maxPacketBytes,
    maxResponseBytes: opts.maxResponseBytes,
    maxInFlight: opts.maxInFlight,
    maxTcpConnections: opts.maxTcpConnections,
    maxTcpPipeline: opts.maxTcpPipeline,
    tcpIdleTimeoutMs: opts.tcpIdleTimeoutMs,
  };

  let proxy: DnsProxy | undefined = await start(proxyOpts);
  // Restarts bind the port the first proxy got (it matters when the configured port is 0).
  const address = proxy.address();
  const listen: HostPort = { host: opts.listen.host, port: address.port };
  const past = zeroStats();
  let restarts = 0;
  let failedStarts = 0;
  let lastError: string | undefined;
  let stopped = false;
  let consecutive = 0;
  let timer: NodeJS.Timeout | undefined;
  let startedAt = performance.now();

  const notify = (healthy: boolean, error?: Error) => {
    try {
      opts.onHealthChange?.(healthy, error);
    } catch {
      // A faulty listener must not stop the supervision.
    }
  };

  const watch = (p: DnsProxy) => {
    void p.closed.then(({ error }) => {
      if (proxy !== p) return;
      addStats(past, p.stats());
      proxy = undefined;
      if (stopped) return;
      lastError = error?.message ?? "proxy stopped";
      if (performance.now() - startedAt >= stableAfter) consecutive = 0;
      notify(false, error);
      scheduleRestart();
    });
  };

  const scheduleRestart = () => {
    const delay = Math.min(maxDelay, baseDelay * 2 ** consecutive);
    consecutive++;
    timer = setTimeout(() => {
      timer = undefined;
      if (stopped) return;
      start({ ...proxyOpts, listen })
        .then((p) => {
          if (stopped) {
            void p.stop();
            return;
          }
          proxy = p;
          restarts++;
          startedAt = performance.now();
          watch(p);
          notify(true);
        })
        .catch((err: unknown) => {
          failedStarts++;
          lastError = (err as Error)?.message ?? String(err);
          if (!stopped) scheduleRestart();
        });
    }, delay);
  };

  watch(proxy);

  return {
    failMode,
    healthy: () => proxy !== undefined,
    redirectActive: () => failMode === "closed" || proxy !== undefined,
    address: () => ({ ...address }),
    current: () => proxy,
    stats() {
      const total = { ...past, inFlight: 0, tcpConnections: 0 };
      if (proxy) {
        const cur = proxy.stats();
        addStats(total, cur);
        total.inFlight = cur.inFlight;
        total.tcpConnections = cur.tcpConnections;
      }
      return { healthy: proxy !== undefined, restarts, failedStarts, lastError, proxy: total };
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const p = proxy;
      proxy = undefined;
      if (p) {
        await p.stop();
        addStats(past, p.stats());
      }
    },
  };
}
