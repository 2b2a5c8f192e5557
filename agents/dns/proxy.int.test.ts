import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type Answer } from "dns-packet";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startDnsProxy, type DnsProxy, type DnsProxyOptions, type LearnedAnswer } from "./proxy";
import { LearnedCache } from "./learned-cache";
import { startTestDnsServer, type TestDnsServer } from "./testing/test-dns-server";
import { buildQuery, query, rcodeOf, tcpExchange, udpExchange, type ClientReply } from "./testing/dns-client";

const ZONE: Answer[] = [
  { type: "A", name: "api.example.test", ttl: 60, data: "192.0.2.1" },
  { type: "A", name: "api.example.test", ttl: 60, data: "192.0.2.2" },
  { type: "AAAA", name: "api.example.test", ttl: 120, data: "2001:db8::1" },
  { type: "CNAME", name: "www.example.test", ttl: 30, data: "edge.cdn.test" },
  { type: "A", name: "edge.cdn.test", ttl: 5, data: "192.0.2.10" },
  { type: "CNAME", name: "deep.example.test", ttl: 300, data: "hop1.example.test" },
  { type: "CNAME", name: "hop1.example.test", ttl: 20, data: "hop2.cdn.test" },
  { type: "A", name: "hop2.cdn.test", ttl: 100, data: "198.51.100.7" },
  { type: "A", name: "short.example.test", ttl: 1, data: "192.0.2.99" },
  ...Array.from({ length: 40 }, (_, i): Answer => ({ type: "A", name: "big.example.test", ttl: 60, data: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` })),
  ...Array.from({ length: 300 }, (_, i): Answer => ({ type: "A", name: `host${i}.example.test`, ttl: 60, data: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}` })),
];

interface HookRecord {
  answer: LearnedAnswer;
  resolvedAt: number;
}

let server: TestDnsServer;
let proxy: DnsProxy | undefined;
let hookLog: HookRecord[];

beforeAll(async () => {
  server = await startTestDnsServer({ records: ZONE });
});
afterAll(async () => {
  await server.stop();
});
beforeEach(() => {
  hookLog = [];
  server.blackHole = false;
  server.truncate = false;
  server.spoof = false;
  server.setRecords(ZONE);
});
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

async function start(extra: Partial<DnsProxyOptions> = {}): Promise<DnsProxy> {
  proxy = await startDnsProxy({
    listen: { host: "127.0.0.1", port: 0 },
    upstreams: [{ host: server.host, port: server.port }],
    hooks: {
      async onAnswer(answer) {
        hookLog.push({ answer, resolvedAt: performance.now() });
      },
    },
    ...extra,
  });
  return proxy;
}

const addrs = (r: ClientReply) =>
  (r.packet.answers ?? [])
    .flatMap((a) => (a.type === "A" || a.type === "AAAA" ? [a.data] : []))
    .sort();

describe("DNS proxy: answers", () => {
  it("returns byte-identical answers to a direct query, over UDP and TCP", async () => {
    const p = await start();
    const cases: Array<[string, "A" | "AAAA"]> = [
      ["api.example.test", "A"],
      ["api.example.test", "AAAA"],
      ["www.example.test", "A"],
      ["deep.example.test", "A"],
      ["missing.example.test", "A"],
    ];
    for (const transport of ["udp", "tcp"] as const) {
      for (const [name, type] of cases) {
        const q = buildQuery(name, type);
        const exchange = transport === "udp" ? udpExchange : tcpExchange;
        const direct = await exchange(server, q);
        const viaProxy = await exchange(p.address(), q);
        expect(viaProxy.raw.equals(direct.raw), `${transport} ${name} ${type}`).toBe(true);
      }
    }
    const s = p.stats();
    expect(s.udpQueries).toBe(cases.length);
    expect(s.tcpQueries).toBe(cases.length);
    expect(s.answered).toBe(cases.length * 2);
    expect(rcodeOf((await query(p.address(), "missing.example.test")).packet)).toBe("NXDOMAIN");
  });

  it("forwards TCP queries to the upstream over TCP", async () => {
    const p = await start();
    const before = { ...server.received };
    const r = await query(p.address(), "api.example.test", "A", "tcp");
    expect(addrs(r)).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(server.received.tcp).toBe(before.tcp + 1);
    expect(server.received.udp).toBe(before.udp);
  });

  it("multiplexes many concurrent queries, each getting its own answer", async () => {
    const p = await start();
    const replies = await Promise.all(
      Array.from({ length: 300 }, (_, i) => query(p.address(), `host${i}.example.test`, "A", i % 5 === 0 ? "tcp" : "udp")),
    );
    replies.forEach((r, i) => {
      expect(r.packet.questions?.[0]?.name).toBe(`host${i}.example.test`);
      expect(addrs(r)).toEqual([`10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`]);
    });
    expect(hookLog).toHaveLength(300);
    expect(p.stats().inFlight).toBe(0);
  });

  it("serves changing answers as the upstream changes them", async () => {
    const p = await start();
    expect(addrs(await query(p.address(), "short.example.test"))).toEqual(["192.0.2.99"]);
    server.setRecords([...ZONE.filter((r) => r.name !== "short.example.test"), { type: "A", name: "short.example.test", ttl: 1, data: "192.0.2.100" }]);
    expect(addrs(await query(p.address(), "short.example.test"))).toEqual(["192.0.2.100"]);
    expect(hookLog.map((h) => h.answer.addresses.map((a) => a.ip))).toEqual([["192.0.2.99"], ["192.0.2.100"]]);
  });
});

describe("DNS proxy: the learning hook", () => {
  it("is called with the names, addresses and TTLs, before the client receives the answer", async () => {
    const p = await start();
    const r = await query(p.address(), "API.Example.TEST", "A");
    expect(hookLog).toHaveLength(1);
    const h = hookLog[0]!;
    expect(h.answer.clientIp).toBe("127.0.0.1");
    expect(h.answer.names).toEqual(["api.example.test"]);
    expect(h.answer.addresses.sort((a, b) => a.ip.localeCompare(b.ip))).toEqual([
      { ip: "192.0.2.1", family: 4, ttl: 60 },
      { ip: "192.0.2.2", family: 4, ttl: 60 },
    ]);
    expect(r.receivedAt).toBeGreaterThanOrEqual(h.resolvedAt);

    const r6 = await query(p.address(), "api.example.test", "AAAA", "tcp");
    expect(hookLog[1]!.answer.addresses).toEqual([{ ip: "2001:db8::1", family: 6, ttl: 120 }]);
    expect(r6.receivedAt).toBeGreaterThanOrEqual(hookLog[1]!.resolvedAt);
  });

  it("follows CNAME chains: every name of the chain maps to the final addresses, with the chain's minimum TTL", async () => {
    const p = await start();
    await query(p.address(), "www.example.test");
    await query(p.address(), "deep.example.test");
    expect(hookLog[0]!.answer.names).toEqual(["www.example.test", "edge.cdn.test"]);
    expect(hookLog[0]!.answer.addresses).toEqual([{ ip: "192.0.2.10", family: 4, ttl: 5 }]);
    expect(hookLog[1]!.answer.names).toEqual(["deep.example.test", "hop1.example.test", "hop2.cdn.test"]);
    expect(hookLog[1]!.answer.addresses).toEqual([{ ip: "198.51.100.7", family: 4, ttl: 20 }]);
  });

  it("waits for a slow hook: the client gets nothing until the hook resolves", async () => {
    let release!: () => void;
    let called!: () => void;
    const hookCalled = new Promise<void>((r) => (called = r));
    let resolvedAt = 0;
    const p = await start({
      hookTimeoutMs: 30_000,
      hooks: {
        onAnswer: () =>
          new Promise<void>((r) => {
            called();
            release = () => {
              resolvedAt = performance.now();
              r();
            };
          }),
      },
    });
    let received: ClientReply | undefined;
    const pending = query(p.address(), "api.example.test", "A", "udp", 30_000).then((r) => (received = r));
    await hookCalled;
    await new Promise((r) => setTimeout(r, 150));
    expect(received).toBeUndefined();
    release();
    await pending;
    expect(received!.receivedAt).toBeGreaterThanOrEqual(resolvedAt);
    expect(addrs(received!)).toEqual(["192.0.2.1", "192.0.2.2"]);
  });

  it("releases the answer when the hook times out or throws, and counts it", async () => {
    const p = await start({ hookTimeoutMs: 50, hooks: { onAnswer: () => new Promise<void>(() => {}) } });
    expect(addrs(await query(p.address(), "api.example.test"))).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(p.stats().hookTimeouts).toBe(1);
    await p.stop();

    const p2 = await start({
      hooks: {
        onAnswer: async () => {
          throw new Error("nft apply failed");
        },
      },
    });
    expect(addrs(await query(p2.address(), "api.example.test"))).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(p2.stats().hookErrors).toBe(1);
  });

  it("does not call the hook for answers without addresses", async () => {
    const p = await start();
    await query(p.address(), "missing.example.test");
    await query(p.address(), "www.example.test", "AAAA");
    expect(hookLog).toHaveLength(0);
    expect(p.stats().answered).toBe(2);
  });

  it("feeds the learned cache: a CNAME chain feeds sets matching either name; wildcards per reference §5", async () => {
    const cache = new LearnedCache({ now: () => 1_000_000 });
    cache.setDomainSets([
      { id: "via-alias", patterns: ["www.example.test"] },
      { id: "via-target", patterns: ["*.cdn.test"] },
      { id: "wild", patterns: ["*.example.test"] },
      { id: "apex", patterns: ["example.test"] },
      { id: "other-pod", patterns: ["www.example.test"], clientIps: ["10.9.9.9"] },
    ]);
    const p = await start({ hooks: { onAnswer: (a) => cache.learn(a).then(() => undefined) } });
    await query(p.address(), "www.example.test");
    const els = cache.elements();
    expect([...els.keys()].sort()).toEqual(["via-alias", "via-target", "wild"]);
    for (const id of ["via-alias", "via-target", "wild"]) expect(els.get(id)!.map((e) => e.ip)).toEqual(["192.0.2.10"]);
    await cache.close();
  });
});

describe("DNS proxy: upstream failures", () => {
  it("retries a truncated UDP answer over TCP and returns the full answer when it fits", async () => {
    const p = await start();
    server.truncate = new Set(["api.example.test"]);
    const r = await query(p.address(), "api.example.test");
    expect(r.packet.flag_tc).toBe(false);
    expect(addrs(r)).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(p.stats().tcpFallbacks).toBe(1);
    expect(hookLog[0]!.answer.addresses).toHaveLength(2);
  });

  it("learns every address of an answer too big for the client, which keeps the truncated reply", async () => {
    const p = await start();
    server.truncate = true;
    const r = await query(p.address(), "big.example.test");
    expect(r.packet.flag_tc).toBe(true);
    expect(hookLog[0]!.answer.addresses).toHaveLength(40);
    // A client advertising a large EDNS buffer gets the complete answer over UDP.
    const edns = buildQuery("big.example.test", "A", { additionals: [{ type: "OPT", name: ".", udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] });
    const big = await udpExchange(p.address(), edns);
    expect(big.packet.flag_tc).toBe(false);
    expect(addrs(big)).toHaveLength(40);
  });

  it("answers SERVFAIL when the upstream is a black hole, and recovers when it answers again", async () => {
    const p = await start({ upstreamTimeoutMs: 300 });
    server.blackHole = true;
    const q = buildQuery("api.example.test");
    const r = await udpExchange(p.address(), q, 5000);
    expect(rcodeOf(r.packet)).toBe("SERVFAIL");
    expect(r.packet.id).toBe(dnsPacket.decode(q).id);
    expect(r.packet.questions).toEqual(dnsPacket.decode(q).questions);
    const t = await query(p.address(), "api.example.test", "A", "tcp", 5000);
    expect(rcodeOf(t.packet)).toBe("SERVFAIL");
    expect(p.stats().servfail).toBe(2);
    expect(hookLog).toHaveLength(0);
    server.blackHole = false;
    expect(addrs(await query(p.address(), "api.example.test"))).toEqual(["192.0.2.1", "192.0.2.2"]);
  });

  it("fails over to the next upstream when the first is silent", async () => {
    const dead = dgram.createSocket("udp4");
    await new Promise<void>((r) => dead.bind(0, "127.0.0.1", () => r()));
    try {
      const p = await start({
        upstreamTimeoutMs: 1000,
        upstreams: [
          { host: "127.0.0.1", port: dead.address().port },
          { host: server.host, port: server.port },
        ],
      });
      expect(addrs(await query(p.address(), "api.example.test"))).toEqual(["192.0.2.1", "192.0.2.2"]);
      expect(addrs(await query(p.address(), "api.example.test", "A", "tcp"))).toEqual(["192.0.2.1", "192.0.2.2"]);
    } finally {
      dead.close();
    }
  });

  it("ignores spoofed and mismatched upstream replies and returns the real answer", async () => {
    const p = await start();
    server.spoof = true;
    const r = await query(p.address(), "api.example.test");
    expect(addrs(r)).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(hookLog[0]!.answer.addresses.map((a) => a.ip).sort()).toEqual(["192.0.2.1", "192.0.2.2"]);
    const s = p.stats();
    expect(s.upstreamMismatched).toBeGreaterThanOrEqual(3);
    expect(s.upstreamMalformed).toBeGreaterThanOrEqual(1);
  });

  it("ignores replies from a host that is not the upstream it asked", async () => {
    // The upstream has a rogue accomplice send a forged answer to the proxy's query port first.
    const up = dgram.createSocket("udp4");
    const rogue = dgram.createSocket("udp4");
    await Promise.all([up, rogue].map((s) => new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()))));
    up.on("message", (msg, rinfo) => {
      const q = dnsPacket.decode(msg);
      const answer = (ip: string) => dnsPacket.encode({ type: "response", id: q.id, questions: q.questions, answers: [{ type: "A", name: q.questions![0]!.name, ttl: 60, data: ip }] });
      rogue.send(answer("203.0.113.1"), rinfo.port, rinfo.address, () => {
        setTimeout(() => up.send(answer("192.0.2.77"), rinfo.port, rinfo.address), 20);
      });
    });
    try {
      const p = await start({ upstreams: [{ host: "127.0.0.1", port: up.address().port }] });
      const r = await query(p.address(), "api.example.test");
      expect(addrs(r)).toEqual(["192.0.2.77"]);
      expect(hookLog.flatMap((h) => h.answer.addresses.map((a) => a.ip))).toEqual(["192.0.2.77"]);
      expect(p.stats().upstreamMismatched).toBe(1);
    } finally {
      up.close();
      rogue.close();
    }
  });

  it("never confuses a late duplicate reply with the answer to a later query on a reused socket", async () => {
    const up = dgram.createSocket("udp4");
    await new Promise<void>((r) => up.bind(0, "127.0.0.1", () => r()));
    up.on("message", (msg, rinfo) => {
      const q = dnsPacket.decode(msg);
      const name = q.questions![0]!.name;
      const n = Number(/^n(\d+)\./.exec(name)![1]);
      const reply = dnsPacket.encode({ type: "response", id: q.id, questions: q.questions, answers: [{ type: "A", name, ttl: 60, data: `10.7.0.${n}` }] });
      up.send(reply, rinfo.port, rinfo.address);
      up.send(reply, rinfo.port, rinfo.address);
    });
    try {
      const p = await start({ upstreams: [{ host: "127.0.0.1", port: up.address().port }] });
      for (let i = 1; i <= 20; i++) expect(addrs(await query(p.address(), `n${i}.example.test`))).toEqual([`10.7.0.${i}`]);
      await new Promise((r) => setTimeout(r, 50));
      expect(p.stats().upstreamMismatched).toBe(20);
      expect(hookLog.map((h) => h.answer.addresses[0]!.ip)).toEqual(Array.from({ length: 20 }, (_, i) => `10.7.0.${i + 1}`));
    } finally {
      up.close();
    }
  });

  it("drops forged answers sent to the listening port (they are not queries)", async () => {
    const p = await start();
    const q = buildQuery("api.example.test");
    const forged = dnsPacket.encode({ type: "response", id: dnsPacket.decode(q).id, questions: [{ type: "A", name: "api.example.test" }], answers: [{ type: "A", name: "api.example.test", ttl: 300, data: "203.0.113.1" }] });
    const rogue = dgram.createSocket("udp4");
    await new Promise<void>((r) => rogue.send(forged, p.address().port, "127.0.0.1", () => r()));
    rogue.close();
    const r = await udpExchange(p.address(), q);
    expect(addrs(r)).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(hookLog.flatMap((h) => h.answer.addresses.map((a) => a.ip))).not.toContain("203.0.113.1");
    expect(p.stats().clientMalformed).toBe(1);
  });
});

describe("DNS proxy: hostile input", () => {
  it("drops malformed and oversized client packets, counts them, and keeps serving", async () => {
    const p = await start({ maxPacketBytes: 1024 });
    const target = p.address();
    const sock = dgram.createSocket("udp4");
    const send = (b: Buffer) => new Promise<void>((r) => sock.send(b, target.port, target.host, () => r()));
    const valid = dnsPacket.decode(buildQuery("api.example.test"));
    const crafted: Buffer[] = [
      Buffer.alloc(0),
      Buffer.from([0x12]),
      Buffer.alloc(11),
      // header claiming 65535 questions with no body
      Buffer.from([0, 1, 1, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0]),
      // header claiming answers that are not there
      Buffer.concat([buildQuery("api.example.test").subarray(0, 6), Buffer.from([0x40, 0, 0, 0, 0, 0])]),
      // a name with a compression pointer loop
      Buffer.from([0, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]),
      // a response instead of a query
      dnsPacket.encode({ ...valid, type: "response" }),
      // no question
      dnsPacket.encode({ type: "query", id: 7, questions: [] }),
      // two questions
      dnsPacket.encode({ type: "query", id: 8, questions: [{ type: "A", name: "a.test" }, { type: "A", name: "b.test" }] }),
    ];
    for (const b of crafted) await send(b);
    await send(Buffer.alloc(2000, 1));
    const random = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 1500 }), { seed: 42, numRuns: 500 });
    // In bursts of 50, each followed by a valid query whose answer proves the burst was processed
    // (loopback keeps order; bursts stay well inside the socket buffer so nothing is lost).
    let probes = 0;
    for (let i = 0; i < random.length; i += 50) {
      for (const b of random.slice(i, i + 50)) await send(Buffer.from(b));
      expect(addrs(await query(target, "api.example.test"))).toEqual(["192.0.2.1", "192.0.2.2"]);
      probes++;
    }
    sock.close();

    // TCP: garbage frames, a truncated frame, then a huge length prefix.
    const tcpGarbage = (bytes: Buffer) =>
      new Promise<void>((resolve) => {
        const c = net.connect(target.port, target.host, () => c.end(bytes));
        c.on("error", () => resolve());
        c.on("close", () => resolve());
        c.resume();
      });
    await tcpGarbage(Buffer.from([0, 5, 1, 2, 3, 4, 5, 0, 3, 9, 9, 9]));
    await tcpGarbage(Buffer.from([0, 40, 1, 2, 3]));
    await tcpGarbage(Buffer.from([0xff, 0xff, 1, 2, 3, 4]));
    await tcpGarbage(Buffer.from([0x08, 0x00]));
    for (const b of fc.sample(fc.uint8Array({ minLength: 1, maxLength: 3000 }), { seed: 7, numRuns: 30 })) await tcpGarbage(Buffer.from(b));

    const r = await query(target, "api.example.test");
    expect(addrs(r)).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(addrs(await query(target, "www.example.test", "A", "tcp"))).toEqual(["192.0.2.10"]);
    const s = p.stats();
    expect(s.udpQueries).toBe(crafted.length + 1 + random.length + probes + 1);
    expect(s.clientMalformed).toBeGreaterThanOrEqual(crafted.length + 2);
    expect(s.clientOversized).toBeGreaterThanOrEqual(1 + 2 + random.filter((b) => b.length > 1024).length);
    expect(s.internalErrors).toBe(0);
    expect(hookLog.map((h) => h.answer.names[0])).toEqual([...Array(probes + 1).fill("api.example.test"), "www.example.test"]);
  });

  it("drops malformed and oversized upstream replies without crashing", async () => {
    const evil = dgram.createSocket("udp4");
    await new Promise<void>((r) => evil.bind(0, "127.0.0.1", () => r()));
    let mode: "garbage" | "huge" | "ok" = "garbage";
    evil.on("message", (msg, rinfo) => {
      const q = dnsPacket.decode(msg);
      if (mode === "garbage") evil.send(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]), rinfo.port, rinfo.address);
      else if (mode === "huge") evil.send(Buffer.alloc(3000, 7), rinfo.port, rinfo.address);
      else evil.send(dnsPacket.encode({ type: "response", id: q.id, questions: q.questions, answers: [{ type: "A", name: q.questions![0]!.name, ttl: 9, data: "192.0.2.55" }] }), rinfo.port, rinfo.address);
    });
    try {
      const p = await start({ upstreams: [{ host: "127.0.0.1", port: evil.address().port }], upstreamTimeoutMs: 200, maxResponseBytes: 2048 });
      expect(rcodeOf((await query(p.address(), "x.example.test", "A", "udp", 5000)).packet)).toBe("SERVFAIL");
      mode = "huge";
      expect(rcodeOf((await query(p.address(), "x.example.test", "A", "udp", 5000)).packet)).toBe("SERVFAIL");
      expect(p.stats().upstreamMalformed).toBe(2);
      mode = "ok";
      const r = await query(p.address(), "x.example.test");
      expect(addrs(r)).toEqual(["192.0.2.55"]);
    } finally {
      evil.close();
    }
  });
});
