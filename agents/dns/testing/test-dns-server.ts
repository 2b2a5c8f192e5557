/**
 * A tiny authoritative DNS server for tests and benchmarks (UDP and TCP on one port), built
 * with `dns-packet`. It serves the records it is given, follows CNAME chains inside its zone,
 * and has switches for the failure modes the proxy must handle:
 *
 * - `blackHole`: receive everything, answer nothing;
 * - `truncate`: UDP answers for the listed names (or all with `true`) come back with TC set
 *   and no records, so a resolver must retry over TCP;
 * - `spoof`: before each real UDP answer, send a reply with the wrong id, a reply for another
 *   question, a query (not a response) and random bytes.
 *
 * Records can be replaced at any time (`setRecords`) to simulate changing answers.
 */
import dgram from "node:dgram";
import net from "node:net";
import { randomBytes } from "node:crypto";
import dnsPacket, { type Answer, type DecodedPacket } from "dns-packet";
import { frame, FrameReader } from "../framing";

export interface TestDnsServerOptions {
  host?: string;
  port?: number;
  records?: Answer[];
}

export interface TestDnsServer {
  readonly host: string;
  readonly port: number;
  blackHole: boolean;
  truncate: boolean | Set<string>;
  spoof: boolean;
  /** Queries received, per transport. */
  readonly received: { udp: number; tcp: number };
  setRecords(records: Answer[]): void;
  stop(): Promise<void>;
}

const lower = (n: string) => n.toLowerCase().replace(/\.$/, "");
const RCODE_NXDOMAIN = 3;

class Server implements TestDnsServer {
  blackHole = false;
  truncate: boolean | Set<string> = false;
  spoof = false;
  readonly received = { udp: 0, tcp: 0 };
  private zone = new Map<string, Answer[]>();
  private readonly conns = new Set<net.Socket>();

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
    records: Answer[],
  ) {
    this.setRecords(records);
    udp.on("message", (msg, rinfo) => this.onUdp(msg, rinfo));
    tcp.on("connection", (sock) => this.onTcp(sock));
  }

  setRecords(records: Answer[]): void {
    const zone = new Map<string, Answer[]>();
    for (const rr of records) {
      const key = lower(rr.name);
      zone.set(key, [...(zone.get(key) ?? []), rr]);
    }
    this.zone = zone;
  }

  /** Builds the answer to `query`, or undefined when it is not a decodable query. */
  answer(query: DecodedPacket, udp: boolean): Buffer | undefined {
    const q = query.questions?.[0];
    if (!q || query.type !== "query") return undefined;
    const base = {
      type: "response" as const,
      id: query.id ?? 0,
      questions: [q],
      flags: dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED),
    };
    const truncated = udp && (this.truncate === true || (this.truncate instanceof Set && this.truncate.has(lower(q.name))));
    if (truncated) return dnsPacket.encode({ ...base, flags: base.flags | dnsPacket.TRUNCATED_RESPONSE });
    let name = lower(q.name);
    if (!this.zone.has(name)) return dnsPacket.encode({ ...base, flags: base.flags | RCODE_NXDOMAIN });
    const answers: Answer[] = [];
    const seen = new Set<string>();
    for (;;) {
      const rrs = this.zone.get(name) ?? [];
      const cname = rrs.find((r) => r.type === "CNAME");
      if (cname?.type === "CNAME" && q.type !== "CNAME" && !seen.has(name)) {
        seen.add(name);
        answers.push(cname);
        name = lower(cname.data);
        continue;
      }
      answers.push(...rrs.filter((r) => r.type === q.type));
      break;
    }
    return dnsPacket.encode({ ...base, answers });
  }

  private onUdp(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    this.received.udp++;
    if (this.blackHole) return;
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const reply = this.answer(query, true);
    if (!reply) return;
    const send = (b: Buffer) => this.udp.send(b, rinfo.port, rinfo.address, () => {});
    if (this.spoof) {
      const q = query.questions![0]!;
      send(dnsPacket.encode({ type: "response", id: ((query.id ?? 0) + 1) & 0xffff, questions: [q], answers: [{ type: "A", name: q.name, ttl: 300, data: "203.0.113.66" }] }));
      send(dnsPacket.encode({ type: "response", id: query.id ?? 0, questions: [{ ...q, name: `evil.${q.name}` }], answers: [{ type: "A", name: q.name, ttl: 300, data: "203.0.113.67" }] }));
      send(dnsPacket.encode({ type: "query", id: query.id ?? 0, questions: [q] }));
      send(randomBytes(40));
    }
    send(reply);
  }

  private onTcp(sock: net.Socket): void {
    this.conns.add(sock);
    sock.on("close", () => this.conns.delete(sock));
    sock.on("error", () => {});
    const reader = new FrameReader(65535);
    sock.on("data", (chunk: Buffer) => {
      for (const msg of reader.push(chunk)) {
        this.received.tcp++;
        if (this.blackHole) continue;
        let query: DecodedPacket;
        try {
          query = dnsPacket.decode(msg);
        } catch {
          continue;
        }
        const reply = this.answer(query, false);
        if (reply) sock.write(frame(reply));
      }
    });
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await Promise.all([new Promise<void>((r) => this.udp.close(() => r())), new Promise<void>((r) => this.tcp.close(() => r()))]);
  }
}

/** Starts the server; with port 0 (the default) UDP and TCP get the same free port. */
export async function startTestDnsServer(opts: TestDnsServerOptions = {}): Promise<TestDnsServer> {
  const host = opts.host ?? "127.0.0.1";
  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(opts.port ?? 0, host, () => {
        udp.off("error", reject);
        resolve();
      });
    });
    const port = udp.address().port;
    try {
      const tcp = await new Promise<net.Server>((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen({ host, port, exclusive: true }, () => {
          s.off("error", reject);
          resolve(s);
        });
      });
      return new Server(host, port, udp, tcp, opts.records ?? []);
    } catch (err) {
      udp.close();
      if (opts.port || attempt >= 10) throw err;
    }
  }
}
