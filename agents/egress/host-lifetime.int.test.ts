import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Host } from "./host";

/**
 * The kernel-side fence for egress IPs: an address added with a lifetime leaves the uplink by
 * itself unless it is refreshed, so a holder whose agent died stops answering for the IP.
 */
const NS = `pcl-lft-${process.pid}`;
const ip = (...args: string[]) => execFileSync("ip", ["netns", "exec", NS, "ip", ...args], { encoding: "utf8" });
const has = (addr: string) => ip("-4", "addr", "show", "dev", "uplink0").includes(`${addr}/32`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  execFileSync("ip", ["netns", "add", NS]);
  ip("link", "add", "uplink0", "type", "veth", "peer", "name", "peer0");
  ip("link", "set", "uplink0", "up");
  ip("link", "set", "peer0", "up");
});
afterAll(() => {
  execFileSync("ip", ["netns", "del", NS]);
});

describe("egress address lifetime", () => {
  it("an address that is not refreshed leaves the uplink after its lifetime; a refreshed one stays", async () => {
    const host = new Host({ uplink: "uplink0", netns: NS, garp: false, routeTableBase: 7700, tableCount: 1 });
    await host.addAddresses(["192.0.2.10", "192.0.2.11"], 1);
    expect(has("192.0.2.10")).toBe(true);
    expect(has("192.0.2.11")).toBe(true);
    // Refresh only .11, every 300 ms, for 2.5 s.
    for (let t = 0; t < 2500; t += 300) {
      await sleep(300);
      await host.refreshAddresses(["192.0.2.11"], 1);
    }
    expect(has("192.0.2.10")).toBe(false);
    expect(has("192.0.2.11")).toBe(true);
    await sleep(2200);
    expect(has("192.0.2.11")).toBe(false);
  });
});
