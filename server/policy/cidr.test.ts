import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import {
  CidrError,
  aggregateCidrs,
  buildCidrSet,
  cidrContainsIp,
  parseCidr,
  parseCidrList,
  parseIp,
  parseIpv4Fast,
  parseIpv6Fast,
  type Cidr,
} from "./cidr";

function cidrError(fn: () => unknown): CidrError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CidrError);
    return err as CidrError;
  }
  throw new Error("expected a CidrError");
}

describe("parseIp", () => {
  it("normalises IPv4 and IPv6", () => {
    expect(parseIp("10.0.0.1")).toMatchObject({ family: 4, text: "10.0.0.1" });
    expect(parseIp("2001:DB8:0:0:0:0:0:1")).toMatchObject({ family: 6, text: "2001:db8::1" });
    expect(parseIp("::")).toMatchObject({ family: 6, text: "::" });
    expect(parseIp("::ffff:1.2.3.4").family).toBe(6);
  });

  it("rejects forms Go's net.ParseIP rejects", () => {
    for (const bad of [
      "",
      "10.1",
      "010.0.0.1",
      "1.2.3.04",
      "0x0a.0.0.1",
      "1.2.3.4.5",
      "256.0.0.1",
      "1.2.3.",
      " 1.2.3.4",
      "1.2.3.4 ",
      "fe80::1%eth0",
      "1::2::3",
      "::ffff:010.1.2.3",
      "10.0.0.1/32",
      "abc",
    ]) {
      const e = cidrError(() => parseIp(bad));
      expect(e.input).toBe(bad);
      expect(e.message).toMatch(/expected/);
    }
  });
});

describe("parseCidr", () => {
  it("turns bare addresses into host routes", () => {
    expect(parseCidr("10.1.2.3")).toMatchObject({ family: 4, text: "10.1.2.3/32", prefix: 32 });
    expect(parseCidr("2001:db8::1")).toMatchObject({ family: 6, text: "2001:db8::1/128", prefix: 128 });
  });

  it("masks host bits by default and rejects them when strict", () => {
    expect(parseCidr("10.1.2.3/8").text).toBe("10.0.0.0/8");
    expect(parseCidr("2001:db8:1234::1/32").text).toBe("2001:db8::/32");
    expect(cidrError(() => parseCidr("10.1.2.3/8", { strict: true })).message).toMatch(/host bits.*10\.0\.0\.0\/8/);
    expect(cidrError(() => parseCidr("2001:db8::1/64", { strict: true })).message).toMatch(/2001:db8::\/64/);
    expect(parseCidr("10.0.0.0/8", { strict: true }).text).toBe("10.0.0.0/8");
    expect(parseCidr("0.0.0.0/0", { strict: true })).toMatchObject({ start: 0n, end: 0xffffffffn });
    expect(parseCidr("::/0")).toMatchObject({ text: "::/0", start: 0n, end: (1n << 128n) - 1n });
  });

  it("rejects bad prefixes and addresses", () => {
    for (const bad of [
      "10.0.0.0/33",
      "10.0.0.0/",
      "10.0.0.0/08",
      "10.0.0.0/-1",
      "10.0.0.0/8/8",
      "::/129",
      "10.0/8",
      "/8",
      "10.0.0.0/ 8",
      "x/8",
    ]) {
      expect(cidrError(() => parseCidr(bad)).input).toBe(bad);
    }
  });

  it("computes ranges", () => {
    const c = parseCidr("192.168.4.0/22");
    expect(c.start).toBe(0xc0a80400n);
    expect(c.end).toBe(0xc0a807ffn);
    expect(cidrContainsIp(c, "192.168.7.255")).toBe(true);
    expect(cidrContainsIp(c, "192.168.8.0")).toBe(false);
    expect(cidrContainsIp(c, "::1")).toBe(false);
    expect(cidrContainsIp(parseCidr("2001:db8::/32"), "2001:db8:ffff::1")).toBe(true);
    expect(cidrContainsIp(parseCidr("2001:db8::/32"), "2001:db9::1")).toBe(false);
  });
});

describe("parseIpv4Fast", () => {
  it("agrees with ipaddr.js four-part decimal parsing (minus leading zeros)", () => {
    const octet = fc.oneof(
      fc.integer({ min: 0, max: 300 }).map(String),
      fc.constantFrom("00", "01", "007", "", "a", "-1", "1e2"),
    );
    fc.assert(
      fc.property(
        fc.array(octet, { minLength: 1, maxLength: 5 }).map((p) => p.join(".")),
        (s) => {
          const fast = parseIpv4Fast(s);
          const strictRef = ipaddr.IPv4.isValidFourPartDecimal(s) && !/(^|\.)0[0-9]/.test(s);
          if (strictRef) {
            const octets = ipaddr.IPv4.parse(s).octets;
            expect(fast).toBe(((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!);
          } else {
            expect(fast).toBe(-1);
          }
        },
      ),
      { numRuns: 5000 },
    );
    expect(parseIpv4Fast("255.255.255.255")).toBe(0xffffffff);
    expect(parseIpv4Fast("0.0.0.0")).toBe(0);
  });
});

describe("aggregateCidrs", () => {
  it("reports duplicates, covered entries, merges and errors", () => {
    const r = aggregateCidrs([
      "10.0.0.0/25",
      "10.0.0.128/25",
      "10.0.1.0/24",
      "10.0.0.5",
      "10.0.0.0/25",
      "10.0.0.1/25",
      "192.168.0.0/16",
      "192.168.1.0/24",
      "not-a-cidr",
      "2001:db8::/33",
      "2001:db8:8000::/33",
      "172.16.0.0/24",
      "172.16.2.0/24",
    ]);
    expect(r.cidrs.map((c) => c.text)).toEqual([
      "10.0.0.0/23",
      "172.16.0.0/24",
      "172.16.2.0/24",
      "192.168.0.0/16",
      "2001:db8::/32",
    ]);
    expect(r.duplicates).toEqual(["10.0.0.0/25", "10.0.0.1/25"]);
    expect(r.covered).toEqual([
      { cidr: "10.0.0.5/32", by: "10.0.0.0/25" },
      { cidr: "192.168.1.0/24", by: "192.168.0.0/16" },
    ]);
    expect(r.merged).toEqual([
      { from: ["10.0.0.0/25", "10.0.0.128/25"], into: "10.0.0.0/24" },
      { from: ["10.0.0.0/24", "10.0.1.0/24"], into: "10.0.0.0/23" },
      { from: ["2001:db8::/33", "2001:db8:8000::/33"], into: "2001:db8::/32" },
    ]);
    expect(r.errors).toEqual([{ index: 8, input: "not-a-cidr", message: expect.stringMatching(/expected/) }]);
  });

  it("does not merge non-aligned neighbours", () => {
    const r = aggregateCidrs(["10.0.1.0/24", "10.0.2.0/24"]);
    expect(r.cidrs.map((c) => c.text)).toEqual(["10.0.1.0/24", "10.0.2.0/24"]);
    expect(r.merged).toEqual([]);
    expect(aggregateCidrs(["0.0.0.0/1", "128.0.0.0/1"]).cidrs.map((c) => c.text)).toEqual(["0.0.0.0/0"]);
  });

  it("never loses an entry and preserves the covered address space (random)", () => {
    const cidrArb = fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 20, max: 32 }))
      .map(([a, b, p]) => `10.${a >> 4}.${b}.${(a * 7) & 255}/${p}`);
    fc.assert(
      fc.property(
        fc.array(cidrArb, { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 0xfffff }), { maxLength: 50 }),
        (list, probes) => {
          const r = aggregateCidrs(list);
          const mergedInputs = r.merged.reduce((n) => n + 1, 0); // each merge turns 2 entries into 1
          expect(r.cidrs.length + r.duplicates.length + r.covered.length + mergedInputs + r.errors.length).toBe(
            list.length,
          );
          const parsed = list.map((s) => parseCidr(s));
          for (const p of probes) {
            const ip = `10.${p >> 12}.${(p >> 4) & 255}.${(p & 15) * 16}`;
            const want = parsed.some((c) => cidrContainsIp(c, ip));
            expect(r.cidrs.some((c) => cidrContainsIp(c, ip))).toBe(want);
          }
          // Output is disjoint and has no mergeable siblings left.
          expect(aggregateCidrs(r.cidrs.map((c) => c.text)).merged).toEqual([]);
          for (let i = 1; i < r.cidrs.length; i++) expect(r.cidrs[i]!.start > r.cidrs[i - 1]!.end).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

function naiveHas(cidrs: Cidr[], ip: string): boolean {
  return cidrs.some((c) => cidrContainsIp(c, ip));
}

describe("buildCidrSet", () => {
  it("answers membership for IPv4 and IPv6", () => {
    const set = buildCidrSet([
      "10.0.0.0/8",
      "192.168.1.7",
      "2001:db8::/32",
      parseCidr("172.16.0.0/12"),
      "10.1.0.0/16",
      "0.0.0.0/32",
    ]);
    expect(set.size).toBe(6);
    expect(set.rangeCount).toBe(5);
    expect(set.has("10.255.255.255")).toBe(true);
    expect(set.has("11.0.0.0")).toBe(false);
    expect(set.has("192.168.1.7")).toBe(true);
    expect(set.has("192.168.1.8")).toBe(false);
    expect(set.has("172.31.255.255")).toBe(true);
    expect(set.has("0.0.0.0")).toBe(true);
    expect(set.has("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")).toBe(true);
    expect(set.has("2001:db9::")).toBe(false);
    expect(set.has("::ffff:10.0.0.1")).toBe(false);
    expect(set.has("not an ip")).toBe(false);
    expect(set.has("010.0.0.1")).toBe(false);
    expect(set.hasParsed(parseIp("2001:db8::5"))).toBe(true);
    expect(set.hasV4(0x0a000001)).toBe(true);
  });

  it("throws CidrError naming an invalid entry", () => {
    expect(cidrError(() => buildCidrSet(["10.0.0.0/8", "10.0.0.0/40"])).input).toBe("10.0.0.0/40");
    expect(cidrError(() => buildCidrSet(["bogus"])).input).toBe("bogus");
  });

  it("handles the full IPv4 and IPv6 spaces", () => {
    const all = buildCidrSet(["0.0.0.0/0", "::/0"]);
    expect(all.has("255.255.255.255")).toBe(true);
    expect(all.has("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).toBe(true);
    expect(buildCidrSet([]).has("1.2.3.4")).toBe(false);
  });

  it("agrees with a naive check on random data", () => {
    const v4 = fc
      .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 8, max: 32 }))
      .map(([n, p]) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${p}`);
    const v6 = fc
      .tuple(
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 16, max: 128 }),
      )
      .map(([a, b, p]) => `2001:${a.toString(16)}:${b.toString(16)}::${(a ^ b).toString(16)}/${p}`);
    const ip4 = fc
      .integer({ min: 0, max: 0xffffffff })
      .map((n) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`);
    const ip6 = fc
      .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }))
      .map(([a, b]) => `2001:${a.toString(16)}:${b.toString(16)}::${(a ^ b).toString(16)}`);
    fc.assert(
      // Up to 160 entries: small sets (no /16 bucket table) and large ones (with it) both occur.
      fc.property(fc.array(fc.oneof(v4, v4, v6), { maxLength: 160 }), (list) => {
        const cidrs = list.map((s) => parseCidr(s));
        const set = buildCidrSet(list);
        // Probe addresses inside and around the listed networks, plus random ones.
        const probes: string[] = [];
        for (const c of cidrs.slice(0, 20)) {
          if (c.family === 4) {
            for (const v of [c.start - 1n, c.start, c.end, c.end + 1n]) {
              if (v >= 0n && v <= 0xffffffffn) {
                const n = Number(v);
                probes.push(`${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`);
              }
            }
          } else {
            probes.push(c.text.split("/")[0]!);
          }
        }
        probes.push(...fc.sample(fc.oneof(ip4, ip6), 20));
        for (const ip of probes) expect(set.has(ip)).toBe(naiveHas(cidrs, ip));
      }),
      { numRuns: 200 },
    );
  });
});

describe("parseCidrList", () => {
  it("parses lines with comments, blanks, CSV and reports errors with line numbers", () => {
    const text = [
      "network,owner,note", // 1: header
      "# threat feed", // 2
      "10.0.0.0/8, corp", // 3
      "", // 4
      "  192.168.1.1   # single host", // 5
      '"172.16.0.0/12";"lab"', // 6
      "office\t10.1.0.0/16", // 7: first cell is a name; the CIDR is the second
      "2001:db8::/32\r", // 8: CRLF
      "10.0.0.0/33", // 9: error
      "hello world", // 10: error
      "1.2.3.0/24, 5.6.7.0/24", // 11: second CIDR reported as ignored
    ].join("\n");
    const r = parseCidrList(text);
    expect(r.entries.map((e) => [e.line, e.cidr.text])).toEqual([
      [3, "10.0.0.0/8"],
      [5, "192.168.1.1/32"],
      [6, "172.16.0.0/12"],
      [7, "10.1.0.0/16"],
      [8, "2001:db8::/32"],
      [11, "1.2.3.0/24"],
    ]);
    expect(r.header).toEqual({ line: 1, text: "network,owner,note" });
    expect(r.errors.map((e) => [e.line, e.input])).toEqual([
      [9, "10.0.0.0/33"],
      [10, "hello world"],
    ]);
    expect(r.errors[0]!.message).toMatch(/prefix length/);
    expect(r.ignored).toEqual([{ line: 11, input: "5.6.7.0/24" }]);
  });

  it("masks host bits unless strict", () => {
    expect(parseCidrList("10.1.2.3/8").entries[0]!.cidr.text).toBe("10.0.0.0/8");
    const strict = parseCidrList("10.1.2.3/8", { strict: true });
    expect(strict.entries).toEqual([]);
    expect(strict.errors[0]).toMatchObject({
      line: 1,
      input: "10.1.2.3/8",
      message: expect.stringMatching(/host bits/),
    });
  });

  it("does not treat a data line as a header", () => {
    const r = parseCidrList("10.0.0.0/99\n10.0.0.0/8");
    expect(r.header).toBeUndefined();
    expect(r.errors).toHaveLength(1);
    expect(r.entries).toHaveLength(1);
  });

  it("handles 100 000 lines", () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(`${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24,entry ${i}`);
    const r = parseCidrList(lines.join("\n"));
    expect(r.entries).toHaveLength(100_000);
    expect(r.errors).toHaveLength(0);
    expect(r.entries[99_999]!.line).toBe(100_000);
  });
});

describe("parseIpv6Fast", () => {
  const wordsOf = (parts: number[]) => Array.from({ length: 4 }, (_, w) => ((parts[2 * w]! << 16) | parts[2 * w + 1]!) >>> 0);
  it("agrees with ipaddr.js on every textual form of random addresses", () => {
    const out = new Uint32Array(4);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 3 }), (parts, form) => {
        const addr = new ipaddr.IPv6(parts);
        const text = [addr.toString(), addr.toNormalizedString(), parts.map((p) => p.toString(16).padStart(4, "0")).join(":"), addr.toString().toUpperCase()][form]!;
        expect(parseIpv6Fast(text, out)).toBe(true);
        expect([...out]).toEqual(wordsOf(parts));
      }),
      { numRuns: 2000 },
    );
  });
  it("never accepts text ipaddr.js rejects, and never disagrees on what it accepts", () => {
    const out = new Uint32Array(4);
    const char = fc.constantFrom(..."0123456789abcdefABCDEF::::..%g".split(""));
    fc.assert(
      fc.property(fc.array(char, { minLength: 0, maxLength: 40 }).map((cs) => cs.join("")), (text) => {
        if (!parseIpv6Fast(text, out)) return;
        expect(ipaddr.IPv6.isValid(text)).toBe(true);
        expect([...out]).toEqual(wordsOf(ipaddr.IPv6.parse(text).parts));
      }),
      { numRuns: 20000 },
    );
    for (const bad of [":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "1:", ":1", "1::2:", "g::1", "::ffff:1.2.3.4"]) {
      expect(parseIpv6Fast(bad, out), bad).toBe(false);
    }
  });
});
