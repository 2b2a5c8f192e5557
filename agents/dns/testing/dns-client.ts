/**
 * Minimal DNS stub client for tests and benchmarks: one query over UDP or TCP with
 * `dns-packet`, resolving with the decoded reply, its raw bytes and when it arrived.
 */
import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type DecodedPacket, type Packet, type RecordType } from "dns-packet";
import { frame, FrameReader } from "../framing";

export interface Target {
  host: string;
  port: number;
}

export interface ClientReply {
  raw: Buffer;
  packet: DecodedPacket;
  /** `performance.now()` when the reply arrived. */
  receivedAt: number;
}

let nextId = 1;

export function buildQuery(name: string, type: RecordType = "A", extra: Partial<Packet> = {}): Buffer {
  nextId = (nextId % 65535) + 1;
  return dnsPacket.encode({ type: "query", id: nextId, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: "IN" }], ...extra });
}

/** Sends raw bytes over UDP and waits for the first reply (rejects after `timeoutMs`). */
export function udpExchange(target: Target, query: Buffer, timeoutMs = 3000): Promise<ClientReply> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(net.isIPv6(target.host) ? "udp6" : "udp4");
    const timer = setTimeout(() => {
      s.close();
      reject(new Error(`no UDP reply from ${target.host}:${target.port} within ${timeoutMs} ms`));
    }, timeoutMs);
    s.on("message", (raw) => {
      const receivedAt = performance.now();
      clearTimeout(timer);
      s.close();
      try {
        resolve({ raw, packet: dnsPacket.decode(raw), receivedAt });
      } catch (err) {
        reject(err as Error);
      }
    });
    s.send(query, target.port, target.host);
  });
}

/** Sends one framed query over a new TCP connection and waits for the first framed reply. */
export function tcpExchange(target: Target, query: Buffer, timeoutMs = 3000): Promise<ClientReply> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no TCP reply from ${target.host}:${target.port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const reader = new FrameReader(65535);
    sock.on("connect", () => sock.write(frame(query)));
    sock.on("data", (chunk: Buffer) => {
      const [raw] = reader.push(chunk);
      if (!raw) return;
      const receivedAt = performance.now();
      clearTimeout(timer);
      sock.destroy();
      try {
        resolve({ raw, packet: dnsPacket.decode(raw), receivedAt });
      } catch (err) {
        reject(err as Error);
      }
    });
    sock.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export function query(target: Target, name: string, type: RecordType = "A", transport: "udp" | "tcp" = "udp", timeoutMs?: number): Promise<ClientReply> {
  const q = buildQuery(name, type);
  return transport === "udp" ? udpExchange(target, q, timeoutMs) : tcpExchange(target, q, timeoutMs);
}

/** The rcode name of a decoded reply (`NOERROR`, `SERVFAIL`, ...). */
export function rcodeOf(p: DecodedPacket): string {
  return (p as DecodedPacket & { rcode?: string }).rcode ?? "";
}
