import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDnsProxy, type DnsProxy, type DnsProxyOptions } from "./proxy";
import { startDnsSupervisor, type DnsSupervisor, type DnsSupervisorOptions } from "./supervisor";
import { startTestDnsServer, type TestDnsServer } from "./testing/test-dns-server";
import { query, type ClientReply } from "./testing/dns-client";

let server: TestDnsServer;
let sup: DnsSupervisor | undefined;

beforeAll(async () => {
  server = await startTestDnsServer({ records: [{ type: "A", name: "api.example.test", ttl: 60, data: "192.0.2.1" }] });
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  await sup?.stop();
  sup = undefined;
});

function supervise(extra: Partial<DnsSupervisorOptions> = {}): Promise<DnsSupervisor> {
  return startDnsSupervisor({
    listen: { host: "127.0.0.1", port: 0 },
    upstreams: [{ host: server.host, port: server.port }],
    hooks: { onAnswer: async () => {} },
    ...extra,
  });
}

/** A stub resolver's behaviour: retry every 100 ms, give up after one second. */
async function resolveWithinASecond(s: DnsSupervisor, transport: "udp" | "tcp" = "udp"): Promise<ClientReply> {
  const deadline = performance.now() + 1000;
  let lastError: unknown;
  while (performance.now() < deadline) {
    try {
      return await query(s.address(), "api.example.test", "A", transport, 100);
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error(`no answer within a second: ${String(lastError)}`);
}

const ips = (r: ClientReply) => (r.packet.answers ?? []).flatMap((a) => (a.type === "A" ? [a.data] : []));

describe("DNS proxy supervisor", () => {
  it("restarts the proxy when its UDP socket is closed under it", async () => {
    const events: boolean[] = [];
    sup = await supervise({ onHealthChange: (h) => events.push(h) });
    const first = sup.current()!;
    expect(ips(await resolveWithinASecond(sup))).toEqual(["192.0.2.1"]);
    first.sockets().udp.close();
    expect(ips(await resolveWithinASecond(sup))).toEqual(["192.0.2.1"]);
    expect(sup.current()).not.toBe(first);
    expect(sup.address()).toEqual(first.address());
    const st = sup.stats();
    expect(st.restarts).toBe(1);
    expect(st.lastError).toMatch(/UDP socket closed/);
    expect(st.proxy.answered).toBe(2);
    expect(events).toEqual([false, true]);
  });

  it("restarts the proxy when a listening socket errors (UDP) or its TCP listener closes", async () => {
    sup = await supervise();
    sup.current()!.sockets().udp.emit("error", new Error("boom"));
    expect(ips(await resolveWithinASecond(sup))).toEqual(["192.0.2.1"]);
    expect(sup.stats().lastError).toBe("boom");
    sup.current()!.sockets().tcp.close();
    expect(ips(await resolveWithinASecond(sup, "tcp"))).toEqual(["192.0.2.1"]);
    expect(sup.stats().restarts).toBe(2);
  });

  it("does not restart for faults confined to one query (a throwing hook)", async () => {
    sup = await supervise({
      hooks: {
        onAnswer: () => {
          throw new Error("synchronous throw inside the hook");
        },
      },
    });
    expect(ips(await resolveWithinASecond(sup))).toEqual(["192.0.2.1"]);
    expect(ips(await resolveWithinASecond(sup, "tcp"))).toEqual(["192.0.2.1"]);
    const st = sup.stats();
    expect(st.restarts).toBe(0);
    expect(st.proxy.hookErrors).toBe(2);
  });

  it("keeps retrying failed restarts, and exposes the fail mode as data", async () => {
    let failNext = 0;
    const startProxy = async (o: DnsProxyOptions): Promise<DnsProxy> => {
      if (failNext > 0) {
        failNext--;
        throw new Error("address in use");
      }
      return startDnsProxy(o);
    };
    const health: boolean[] = [];
    sup = await supervise({ startProxy, failMode: "open", restartDelayMs: 10, onHealthChange: (h) => health.push(h) });
    expect(sup.failMode).toBe("open");
    expect(sup.redirectActive()).toBe(true);
    failNext = 3;
    sup.current()!.sockets().udp.close();
    await new Promise((r) => setImmediate(r));
    expect(sup.healthy()).toBe(false);
    expect(sup.redirectActive()).toBe(false);
    expect(ips(await resolveWithinASecond(sup))).toEqual(["192.0.2.1"]);
    expect(sup.redirectActive()).toBe(true);
    expect(sup.stats().failedStarts).toBe(3);
    expect(health).toEqual([false, true]);

    const closed = await supervise({ startProxy });
    try {
      expect(closed.failMode).toBe("closed");
      failNext = 1;
      closed.current()!.sockets().udp.close();
      await new Promise((r) => setImmediate(r));
      expect(closed.healthy()).toBe(false);
      expect(closed.redirectActive()).toBe(true);
    } finally {
      await closed.stop();
    }
  });

  it("stops for good on stop()", async () => {
    sup = await supervise();
    const addr = sup.address();
    await sup.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(sup.healthy()).toBe(false);
    await expect(query(addr, "api.example.test", "A", "udp", 200)).rejects.toThrow(/no UDP reply/);
  });
});
