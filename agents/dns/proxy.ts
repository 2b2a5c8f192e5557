/**
 * The agent's DNS proxy (issue #7). Pods' DNS traffic to the cluster resolver is redirected
 * here by nft (the redirect is the agent's; see `supervisor.ts` for the fail mode). For every
 * query the proxy:
 *
 * 1. validates it (a well-formed standard query with one question, at most `maxPacketBytes`);
 *    anything else is dropped and counted;
 * 2. forwards the client's bytes unchanged to the configured upstream resolvers: a UDP query
 *    over UDP from a socket carrying no other query (sockets are pooled and replaced after
 *    100 uses, so source ports keep changing), retried over TCP when the answer is truncated; a TCP query over TCP. Upstreams are tried in order, the next
 *    one joining when the previous has been silent for its share of `upstreamTimeoutMs`;
 * 3. accepts only a reply that comes from an upstream it asked and matches the query's id and
 *    question (anything else is counted and ignored, the real answer is still awaited);
 * 4. extracts the learned answer (question name + CNAME chain → final A/AAAA addresses) and
 *    AWAITS `hooks.onAnswer()` — bounded by `hookTimeoutMs` — so the addresses are in the
 *    nft sets before the client can connect to them;
 * 5. releases the upstream's answer to the client byte for byte.
 *
 * When no upstream answers within `upstreamTimeoutMs` the client gets SERVFAIL. Only answers
 * from the configured upstreams (the trusted resolvers) are ever learned from.
 *
 * A listening socket that errors or closes unexpectedly kills the whole proxy: `closed`
 * resolves with the error and `supervisor.ts` starts a new one on the same address.
 */
import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type DecodedPacket, type Question } from "dns-packet";
import { canonicalIp, extractLearned, type LearnedAnswer } from "./answer";
import { frame, FrameReader, FrameTooLargeError } from "./framing";

export type { LearnedAddress, LearnedAnswer } from "./answer";

export interface DnsProxyHooks {
  /**
   * Called with what an answer teaches, before the answer is released to the client. The
   * proxy awaits it for at most `hookTimeoutMs`; on timeout or rejection it releases the
   * answer anyway and counts it (`hookTimeouts`, `hookErrors`). Not called for answers
   * without addresses (NXDOMAIN, NODATA, SERVFAIL).
   */
  onAnswer(a: LearnedAnswer): Promise<void>;
}

export interface HostPort {
  /** An IP address literal (IPv4 or IPv6). */
  host: string;
  port: number;
}

export interface DnsProxyOptions {
  /** Where to listen, on both UDP and TCP (the same port). Port 0 picks a free port. */
  listen: HostPort;
  /** The trusted resolvers, tried in order. */
  upstreams: HostPort[];
  hooks: DnsProxyHooks;
  /** Overall time to get an answer from some upstream before answering SERVFAIL (default 2000 ms). */
  upstreamTimeoutMs?: number;
  /** Longest wait for `hooks.onAnswer` before releasing the answer anyway (default 100 ms). */
  hookTimeoutMs?: number;
  /** Largest query accepted from a client, over UDP or TCP (default 4096 bytes). */
  maxPacketBytes?: number;
  /** Largest reply accepted from an upstream (default 65 535 bytes, the DNS maximum). */
  maxResponseBytes?: number;
  /** Queries being resolved at once; further queries are dropped and counted (default 10 000). */
  maxInFlight?: number;
  /** Concurrent client TCP connections; further ones are closed and counted (default 1000). */
  maxTcpConnections?: number;
  /** Queries pipelined on one client TCP connection at once (default 64); excess ones are dropped. */
  maxTcpPipeline?: number;
  /** Idle client TCP connections are closed after this long (default 10 000 ms). */
  tcpIdleTimeoutMs?: number;
}

export interface DnsProxyStats {
  /** Queries received (well-formed or not) per transport. */
  udpQueries: number;
  tcpQueries: number;
  /** Answers from an upstream released to clients. */
  answered: number;
  /** SERVFAIL sent because no upstream answered in time. */
  servfail: number;
  /** Client messages that are not a well-formed one-question standard query. */
  clientMalformed: number;
  /** Client messages (or TCP length prefixes) larger than `maxPacketBytes`. */
  clientOversized: number;
  /** Queries dropped because `maxInFlight` or `maxTcpPipeline` was reached. */
  clientDropped: number;
  /** Upstream replies that could not be decoded or were too large. */
  upstreamMalformed: number;
  /** Upstream replies ignored: wrong sender, id, question, or not a response. */
  upstreamMismatched: number;
  /** Upstream exchanges that failed (connection refused/reset, socket error). */
  upstreamErrors: number;
  /** Truncated UDP answers retried over TCP. */
  tcpFallbacks: number;
  hookCalls: number;
  hookTimeouts: number;
  hookErrors: number;
  /** Client TCP connections refused because `maxTcpConnections` was reached. */
  tcpRejected: number;
  /** Unexpected exceptions caught inside the proxy (each affects one query at most). */
  internalErrors: number;
  /** Gauges. */
  inFlight: number;
  tcpConnections: number;
}

export interface DnsProxy {
  /** The bound address; UDP and TCP share the port. */
  address(): HostPort;
  /** A copy of the counters. */
  stats(): DnsProxyStats;
  /** Closes the sockets and connections; in-flight queries are abandoned. Idempotent. */
  stop(): Promise<void>;
  /**
   * Settles once the proxy is down: `{}` after `stop()`, `{ error }` when it died because a
   * listening socket failed or closed unexpectedly.
   */
  readonly closed: Promise<{ error?: Error }>;
  /** The listening sockets, for diagnostics and fault-injection tests. */
  sockets(): { udp: dgram.Socket; tcp: net.Server };
}

const RCODE_SERVFAIL = 2;
const DEFAULTS = {
  upstreamTimeoutMs: 2000,
  hookTimeoutMs: 100,
  maxPacketBytes: 4096,
  maxResponseBytes: 65535,
  maxInFlight: 10_000,
  maxTcpConnections: 1000,
  maxTcpPipeline: 64,
  tcpIdleTimeoutMs: 10_000,
};
/** The UDP payload a client accepts when it does not say (RFC 1035 §4.2.1). */
const CLASSIC_UDP_LIMIT = 512;

function sameQuestion(a: Question, b: Question | undefined): boolean {
  return (
    b !== undefined &&
    a.type === b.type &&
    (a.class ?? "IN") === (b.class ?? "IN") &&
    a.name.toLowerCase() === b.name.toLowerCase()
  );
}

function servfail(query: DecodedPacket): Buffer {
  return dnsPacket.encode({
    type: "response",
    id: query.id ?? 0,
    flags: ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | dnsPacket.RECURSION_AVAILABLE | RCODE_SERVFAIL,
    questions: query.questions ?? [],
  });
}

/** The UDP payload size a client accepts: its EDNS0 OPT size, else 512. */
function clientUdpLimit(query: DecodedPacket): number {
  for (const rr of query.additionals ?? []) {
    if (rr.type === "OPT") return Math.max(CLASSIC_UDP_LIMIT, rr.udpPayloadSize);
  }
  return CLASSIC_UDP_LIMIT;
}

interface UpstreamReply {
  raw: Buffer;
  decoded: DecodedPacket;
}

interface Upstream {
  host: string;
  port: number;
  family: 4 | 6;
}

/**
 * Upstream UDP sockets. Each carries at most one outstanding query, so a reply is matched by
 * sender, id and question exactly; an idle socket is reused for a later query (saving a
 * socket per query) up to `MAX_SOCKET_USES` times, then replaced, so source ports keep
 * changing. Replies arriving on an idle socket (late or forged) are counted and dropped.
 */
const MAX_IDLE_SOCKETS = 256;
const MAX_SOCKET_USES = 100;

interface PooledSocket {
  sock: dgram.Socket;
  family: 4 | 6;
  uses: number;
  broken: boolean;
  onMessage: ((msg: Buffer, rinfo: dgram.RemoteInfo) => void) | undefined;
  onError: (() => void) | undefined;
}

class UdpSocketPool {
  private readonly idle: PooledSocket[] = [];
  private closed = false;

  constructor(private readonly onStray: () => void) {}

  acquire(family: 4 | 6): PooledSocket {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const p = this.idle[i]!;
      if (p.family !== family) continue;
      this.idle.splice(i, 1);
      if (!p.broken) return p;
      p.sock.close();
    }
    const sock = dgram.createSocket(family === 4 ? "udp4" : "udp6");
    const p: PooledSocket = { sock, family, uses: 0, broken: false, onMessage: undefined, onError: undefined };
    sock.on("message", (msg, rinfo) => (p.onMessage ? p.onMessage(msg, rinfo) : this.onStray()));
    sock.on("error", () => {
      p.broken = true;
      p.onError?.();
    });
    return p;
  }

  release(p: PooledSocket): void {
    p.onMessage = undefined;
    p.onError = undefined;
    p.uses++;
    if (this.closed || p.broken || p.uses >= MAX_SOCKET_USES || this.idle.length >= MAX_IDLE_SOCKETS) {
      try {
        p.sock.close();
      } catch {
        // closed by an error already
      }
      return;
    }
    this.idle.push(p);
  }

  close(): void {
    this.closed = true;
    for (const p of this.idle.splice(0)) p.sock.close();
  }
}

/** The cumulative counters of a proxy run (everything in the stats but the live gauges). */
export type DnsProxyCounters = Omit<DnsProxyStats, "inFlight" | "tcpConnections">;

export function zeroProxyCounters(): DnsProxyCounters {
  return {
    udpQueries: 0,
    tcpQueries: 0,
    answered: 0,
    servfail: 0,
    clientMalformed: 0,
    clientOversized: 0,
    clientDropped: 0,
    upstreamMalformed: 0,
    upstreamMismatched: 0,
    upstreamErrors: 0,
    tcpFallbacks: 0,
    hookCalls: 0,
    hookTimeouts: 0,
    hookErrors: 0,
    tcpRejected: 0,
    internalErrors: 0,
  };
}

class Proxy implements DnsProxy {
  readonly closed: Promise<{ error?: Error }>;
  private resolveClosed!: (v: { error?: Error }) => void;
  private state: "running" | "stopping" | "dead" = "running";
  private readonly counters: DnsProxyCounters = zeroProxyCounters();

  private inFlight = 0;
  private readonly connections = new Set<net.Socket>();
  /** Cancels every upstream exchange in progress (used on stop). */
  private readonly exchanges = new Set<() => void>();
  private readonly cfg: typeof DEFAULTS;
  private readonly upstreams: Upstream[];
  private readonly bound: HostPort;
  private readonly pool = new UdpSocketPool(() => this.counters.upstreamMismatched++);

  constructor(
    private readonly opts: DnsProxyOptions,
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
  ) {
    this.closed = new Promise((r) => (this.resolveClosed = r));
    const a = udp.address();
    this.bound = { host: a.address, port: a.port };
    this.cfg = {
      upstreamTimeoutMs: opts.upstreamTimeoutMs ?? DEFAULTS.upstreamTimeoutMs,
      hookTimeoutMs: opts.hookTimeoutMs ?? DEFAULTS.hookTimeoutMs,
      maxPacketBytes: opts.maxPacketBytes ?? DEFAULTS.maxPacketBytes,
      maxResponseBytes: opts.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
      maxInFlight: opts.maxInFlight ?? DEFAULTS.maxInFlight,
      maxTcpConnections: opts.maxTcpConnections ?? DEFAULTS.maxTcpConnections,
      maxTcpPipeline: opts.maxTcpPipeline ?? DEFAULTS.maxTcpPipeline,
      tcpIdleTimeoutMs: opts.tcpIdleTimeoutMs ?? DEFAULTS.tcpIdleTimeoutMs,
    };
    this.upstreams = opts.upstreams.map((u) => ({ host: canonicalIp(u.host), port: u.port, family: net.isIP(u.host) as 4 | 6 }));
    udp.on("message", (msg, rinfo) => {
      try {
        this.onUdpQuery(msg, rinfo);
      } catch {
        this.counters.internalErrors++;
      }
    });
    udp.on("error", (err) => this.die(err));
    udp.on("close", () => this.die(new Error("DNS proxy UDP socket closed unexpectedly")));
    tcp.on("connection", (sock) => {
      try {
        this.onTcpConnection(sock);
      } catch {
        this.counters.internalErrors++;
        sock.destroy();
      }
    });
    tcp.on("error", (err) => this.die(err));
    tcp.on("close", () => this.die(new Error("DNS proxy TCP listener closed unexpectedly")));
  }

  address(): HostPort {
    return { ...this.bound };
  }

  sockets(): { udp: dgram.Socket; tcp: net.Server } {
    return { udp: this.udp, tcp: this.tcp };
  }

  stats(): DnsProxyStats {
    return { ...this.counters, inFlight: this.inFlight, tcpConnections: this.connections.size };
  }

  async stop(): Promise<void> {
    if (this.state === "running") {
      this.state = "stopping";
      this.shutdown();
      this.resolveClosed({});
    }
    await this.closed;
  }

  private die(error: Error): void {
    if (this.state !== "running") return;
    this.state = "dead";
    this.shutdown();
    this.resolveClosed({ error });
  }

  private shutdown(): void {
    for (const cancel of this.exchanges) cancel();
    this.pool.close();
    for (const c of this.connections) c.destroy();
    try {
      this.udp.close();
    } catch {
      // already closed
    }
    this.tcp.close();
  }

  // ---------------------------------------------------------------- client side

  private accept(msg: Buffer, counter: "udpQueries" | "tcpQueries"): DecodedPacket | undefined {
    this.counters[counter]++;
    if (msg.length > this.cfg.maxPacketBytes) {
      this.counters.clientOversized++;
      return undefined;
    }
    let q: DecodedPacket;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      this.counters.clientMalformed++;
      return undefined;
    }
    const opcode = (q as DecodedPacket & { opcode?: string }).opcode;
    if (q.type !== "query" || opcode !== "QUERY" || q.questions?.length !== 1) {
      this.counters.clientMalformed++;
      return undefined;
    }
    if (this.inFlight >= this.cfg.maxInFlight) {
      this.counters.clientDropped++;
      return undefined;
    }
    return q;
  }

  private onUdpQuery(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const q = this.accept(msg, "udpQueries");
    if (!q) return;
    this.inFlight++;
    this.resolveQuery(msg, q, "udp", canonicalIp(rinfo.address))
      .then((reply) => {
        if (this.state !== "running") return;
        this.udp.send(reply, rinfo.port, rinfo.address, () => {
          // Send errors (client gone) are the client's problem; nothing to retry.
        });
      })
      .catch(() => this.counters.internalErrors++)
      .finally(() => this.inFlight--);
  }

  private onTcpConnection(sock: net.Socket): void {
    if (this.state !== "running" || this.connections.size >= this.cfg.maxTcpConnections) {
      this.counters.tcpRejected++;
      sock.destroy();
      return;
    }
    this.connections.add(sock);
    sock.setNoDelay(true);
    sock.setTimeout(this.cfg.tcpIdleTimeoutMs, () => sock.destroy());
    sock.on("close", () => this.connections.delete(sock));
    sock.on("error", () => {
      // Resets from clients are routine; the socket is closed either way.
    });
    const clientIp = canonicalIp(sock.remoteAddress ?? "");
    const reader = new FrameReader(this.cfg.maxPacketBytes);
    let pipelined = 0;
    sock.on("data", (chunk: Buffer) => {
      let messages: Buffer[];
      try {
        messages = reader.push(chunk);
      } catch (err) {
        if (err instanceof FrameTooLargeError) this.counters.clientOversized++;
        else this.counters.internalErrors++;
        sock.destroy();
        return;
      }
      for (const msg of messages) {
        try {
          const q = this.accept(msg, "tcpQueries");
          if (!q) continue;
          if (pipelined >= this.cfg.maxTcpPipeline) {
            this.counters.clientDropped++;
            continue;
          }
          pipelined++;
          this.inFlight++;
          this.resolveQuery(msg, q, "tcp", clientIp)
            .then((reply) => {
              if (this.state === "running" && !sock.destroyed) sock.write(frame(reply));
            })
            .catch(() => this.counters.internalErrors++)
            .finally(() => {
              pipelined--;
              this.inFlight--;
            });
        } catch {
          this.counters.internalErrors++;
        }
      }
    });
  }

  /** Resolves one query; always yields the bytes to send back (an upstream answer or SERVFAIL). */
  private async resolveQuery(raw: Buffer, q: DecodedPacket, transport: "udp" | "tcp", clientIp: string): Promise<Buffer> {
    const question = q.questions![0]!;
    const deadline = Date.now() + this.cfg.upstreamTimeoutMs;
    let reply: UpstreamReply | undefined;
    let learnFrom: UpstreamReply | undefined;
    if (transport === "udp") {
      reply = await this.exchangeUdp(raw, q.id ?? 0, question, deadline);
      learnFrom = reply;
      if (reply?.decoded.flag_tc && this.state === "running") {
        this.counters.tcpFallbacks++;
        const full = await this.exchangeTcp(raw, q.id ?? 0, question, deadline);
        if (full) {
          learnFrom = full;
          // The complete answer goes back over UDP only if the client can take it; otherwise
          // it keeps the truncated one and retries over TCP itself (learning again there).
          if (full.raw.length <= clientUdpLimit(q)) reply = full;
        }
      }
    } else {
      reply = await this.exchangeTcp(raw, q.id ?? 0, question, deadline);
      learnFrom = reply;
    }
    if (!reply || !learnFrom) {
      this.counters.servfail++;
      return servfail(q);
    }
    const learned = extractLearned(learnFrom.decoded, clientIp);
    if (learned) await this.runHook(learned);
    this.counters.answered++;
    return reply.raw;
  }

  private async runHook(a: LearnedAnswer): Promise<void> {
    this.counters.hookCalls++;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.cfg.hookTimeoutMs);
    });
    try {
      const call = Promise.resolve().then(() => this.opts.hooks.onAnswer(a));
      const outcome = await Promise.race([call.then(() => "done" as const), timeout]);
      if (outcome === "timeout") {
        this.counters.hookTimeouts++;
        // A late rejection must not surface as an unhandled rejection.
        call.catch(() => this.counters.hookErrors++);
      }
    } catch {
      this.counters.hookErrors++;
    } finally {
      clearTimeout(timer);
    }
  }

  // ---------------------------------------------------------------- upstream side

  /** Decodes and checks an upstream reply; counts and returns undefined when it must be ignored. */
  private checkReply(msg: Buffer, id: number, question: Question): UpstreamReply | undefined {
    if (msg.length > this.cfg.maxResponseBytes) {
      this.counters.upstreamMalformed++;
      return undefined;
    }
    let decoded: DecodedPacket;
    try {
      decoded = dnsPacket.decode(msg);
    } catch {
      this.counters.upstreamMalformed++;
      return undefined;
    }
    if (decoded.type !== "response" || decoded.id !== id || !sameQuestion(question, decoded.questions?.[0])) {
      this.counters.upstreamMismatched++;
      return undefined;
    }
    return { raw: msg, decoded };
  }

  /**
   * Sends the query over UDP to the upstreams in turn (the next one joins after
   * `upstreamTimeoutMs / upstreams` of silence or at once on a send error) from one pooled
   * socket per address family; the first matching reply from an asked upstream wins.
   */
  private exchangeUdp(raw: Buffer, id: number, question: Question, deadline: number): Promise<UpstreamReply | undefined> {
    return new Promise((resolve) => {
      const sockets = new Map<4 | 6, PooledSocket>();
      const asked = new Set<string>();
      const timers: NodeJS.Timeout[] = [];
      let done = false;
      const finish = (r: UpstreamReply | undefined) => {
        if (done) return;
        done = true;
        this.exchanges.delete(cancel);
        for (const t of timers) clearTimeout(t);
        for (const p of sockets.values()) this.pool.release(p);
        resolve(r);
      };
      const cancel = () => finish(undefined);
      this.exchanges.add(cancel);
      const slice = Math.max(1, Math.floor((deadline - Date.now()) / this.upstreams.length));
      let next = 0;
      const socketFor = (family: 4 | 6): dgram.Socket => {
        let p = sockets.get(family);
        if (p) return p.sock;
        p = this.pool.acquire(family);
        p.onMessage = (msg, rinfo) => {
          if (done) return;
          if (!asked.has(`${canonicalIp(rinfo.address)}|${rinfo.port}`)) {
            this.counters.upstreamMismatched++;
            return;
          }
          const reply = this.checkReply(msg, id, question);
          if (reply) finish(reply);
        };
        p.onError = () => {
          this.counters.upstreamErrors++;
          tryNext();
        };
        sockets.set(family, p);
        return p.sock;
      };
      const tryNext = (): void => {
        if (done || next >= this.upstreams.length) return;
        const u = this.upstreams[next++]!;
        asked.add(`${u.host}|${u.port}`);
        socketFor(u.family).send(raw, u.port, u.host, (err) => {
          if (err && !done) {
            this.counters.upstreamErrors++;
            tryNext();
          }
        });
        if (next < this.upstreams.length) timers.push(setTimeout(tryNext, slice));
      };
      timers.push(setTimeout(() => finish(undefined), Math.max(0, deadline - Date.now())));
      tryNext();
    });
  }

  /** Sends the query over TCP to each upstream in turn until one answers or the deadline passes. */
  private async exchangeTcp(raw: Buffer, id: number, question: Question, deadline: number): Promise<UpstreamReply | undefined> {
    for (let i = 0; i < this.upstreams.length && this.state === "running"; i++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const budget = Math.max(1, Math.floor(remaining / (this.upstreams.length - i)));
      const reply = await this.exchangeTcpOnce(this.upstreams[i]!, raw, id, question, Date.now() + budget);
      if (reply) return reply;
    }
    return undefined;
  }

  private exchangeTcpOnce(u: Upstream, raw: Buffer, id: number, question: Question, deadline: number): Promise<UpstreamReply | undefined> {
    return new Promise((resolve) => {
      let done = false;
      const sock = net.connect({ host: u.host, port: u.port, noDelay: true });
      const finish = (r: UpstreamReply | undefined) => {
        if (done) return;
        done = true;
        this.exchanges.delete(cancel);
        clearTimeout(timer);
        sock.destroy();
        resolve(r);
      };
      const cancel = () => finish(undefined);
      this.exchanges.add(cancel);
      const timer = setTimeout(cancel, Math.max(0, deadline - Date.now()));
      const reader = new FrameReader(this.cfg.maxResponseBytes);
      sock.on("connect", () => sock.write(frame(raw)));
      sock.on("data", (chunk: Buffer) => {
        let messages: Buffer[];
        try {
          messages = reader.push(chunk);
        } catch {
          this.counters.upstreamMalformed++;
          finish(undefined);
          return;
        }
        for (const msg of messages) {
          const reply = this.checkReply(msg, id, question);
          if (reply) return finish(reply);
        }
      });
      sock.on("error", () => {
        this.counters.upstreamErrors++;
        finish(undefined);
      });
      sock.on("close", () => finish(undefined));
    });
  }
}

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type: net.isIPv6(host) ? "udp6" : "udp4" });
    const onError = (err: Error) => {
      s.close();
      reject(err);
    };
    s.once("error", onError);
    s.bind(port, host, () => {
      s.off("error", onError);
      resolve(s);
    });
  });
}

function listenTcp(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ noDelay: true });
    server.once("error", reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

/**
 * Starts a DNS proxy listening on `opts.listen` (UDP and TCP, same port). Rejects when the
 * options are invalid or the address cannot be bound.
 */
export async function startDnsProxy(opts: DnsProxyOptions): Promise<DnsProxy> {
  if (net.isIP(opts.listen.host) === 0) throw new TypeError(`listen host must be an IP address: ${opts.listen.host}`);
  if (opts.upstreams.length === 0) throw new TypeError("at least one upstream resolver is required");
  for (const u of opts.upstreams) {
    if (net.isIP(u.host) === 0) throw new TypeError(`upstream host must be an IP address: ${u.host}`);
    if (!Number.isInteger(u.port) || u.port <= 0 || u.port > 65535) throw new TypeError(`invalid upstream port: ${u.port}`);
  }
  // With port 0 the UDP port is picked first and TCP must get the same one; retry on a clash.
  for (let attempt = 0; ; attempt++) {
    const udp = await bindUdp(opts.listen.host, opts.listen.port);
    try {
      const tcp = await listenTcp(opts.listen.host, udp.address().port);
      return new Proxy(opts, udp, tcp);
    } catch (err) {
      udp.close();
      if (opts.listen.port !== 0 || attempt >= 10 || (err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    }
  }
}
