import { describe, expect, it } from "vitest";
import { allocateEgressIps } from "./egress-allocation";
import { countRanges, freePoolRanges, ipv4ToNumber, mergeRanges, numberToIpv4, rangesContain, rangesFrom, sliceRanges, subtractRanges, usablePoolRanges } from "./egress-space";
import type { TEgressAssignment, TEgressIPPool } from "./resources";

const pool = (cidrs: string[], exclude?: string[]): TEgressIPPool => ({
  apiVersion: "portcullis.dev/v1",
  kind: "EgressIPPool",
  metadata: { name: "p" },
  spec: { cidrs, ...(exclude ? { exclude } : {}) },
});
const auto = (ns: string): TEgressAssignment => ({ apiVersion: "portcullis.dev/v1", kind: "EgressAssignment", metadata: { name: "gw", namespace: ns }, spec: { pool: "p" } });

describe("egress pool address space", () => {
  it("skips network and broadcast of prefixes up to /30, keeps /31 and /32 whole, and removes exclusions", () => {
    expect(countRanges(usablePoolRanges({ cidrs: ["192.0.2.0/28"] }))).toBe(14);
    expect(countRanges(usablePoolRanges({ cidrs: ["192.0.2.0/31", "192.0.2.9/32"] }))).toBe(3);
    expect(countRanges(usablePoolRanges({ cidrs: ["192.0.2.0/28"], exclude: ["192.0.2.4/30", "192.0.2.1"] }))).toBe(9);
    expect(countRanges(usablePoolRanges({ cidrs: ["10.0.0.0/8"] }))).toBe(2 ** 24 - 2);
    expect(usablePoolRanges({ cidrs: ["2001:db8::/120"] })).toEqual([]);
  });

  it("matches what the allocator can hand out: exactly the usable count gets an address, in the same order", () => {
    const p = pool(["192.0.2.0/29", "192.0.2.16/30"], ["192.0.2.3"]);
    const usable = usablePoolRanges(p.spec);
    const n = countRanges(usable);
    const namespaces = Array.from({ length: n + 1 }, (_, i) => `ns-${String(i).padStart(2, "0")}`);
    const alloc = allocateEgressIps([p], namespaces.map(auto));
    const got = namespaces.map((ns) => alloc.get(`${ns}/gw`)!);
    expect(got.slice(0, n).map((g) => ("ip" in g ? g.ip : g.problem))).toEqual(sliceRanges(usable, 0, n));
    expect(got[n]).toEqual({ problem: 'pool "p" has no free address' });
  });

  it("subtracts taken addresses and pages through the rest", () => {
    const free = freePoolRanges({ cidrs: ["192.0.2.0/28"] }, ["192.0.2.1", "192.0.2.5", "198.51.100.1", "not-an-ip"]);
    expect(countRanges(free)).toBe(12);
    expect(sliceRanges(free, 0, 4)).toEqual(["192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.6"]);
    expect(sliceRanges(free, 10, 5)).toEqual(["192.0.2.13", "192.0.2.14"]);
    expect(sliceRanges(rangesFrom(free, ipv4ToNumber("192.0.2.5")!), 0, 2)).toEqual(["192.0.2.6", "192.0.2.7"]);
    expect(rangesContain(free, ipv4ToNumber("192.0.2.5")!)).toBe(false);
    expect(rangesContain(free, ipv4ToNumber("192.0.2.6")!)).toBe(true);
    expect(numberToIpv4(ipv4ToNumber("203.0.113.255")!)).toBe("203.0.113.255");
  });

  it("merges overlapping ranges and subtracts across range boundaries", () => {
    expect(mergeRanges([{ start: 5, end: 9 }, { start: 1, end: 3 }, { start: 4, end: 4 }, { start: 8, end: 12 }])).toEqual([{ start: 1, end: 12 }]);
    expect(subtractRanges([{ start: 0, end: 10 }, { start: 20, end: 30 }], [{ start: 8, end: 22 }, { start: 25, end: 25 }])).toEqual([
      { start: 0, end: 7 },
      { start: 23, end: 24 },
      { start: 26, end: 30 },
    ]);
    expect(subtractRanges([{ start: 0, end: 10 }], [{ start: 0, end: 10 }])).toEqual([]);
  });
});
