/**
 * CidrSet with 1 000 000 random CIDRs (95 % IPv4, 5 % IPv6): build time and
 * lookups per second for address strings as they come off the wire.
 */
import { buildCidrSet } from "../server/policy/cidr";
import { throughput, type BenchSuite } from "./harness";
import { seededRandom as rng } from "../server/policy/random";

const ENTRIES = 1_000_000;
const PROBES = 1 << 18;


const quad = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const hex = (n: number) => Math.floor(n).toString(16);

export default {
  name: "cidr",
  async run(report) {
    const r = rng(7);
    const list: string[] = new Array(ENTRIES);
    const v4Hosts: number[] = [];
    for (let i = 0; i < ENTRIES; i++) {
      const x = r();
      if (x < 0.95) {
        const addr = Math.floor(r() * 0x100000000);
        // Threat-feed shape: mostly hosts, some /24s, a few larger blocks.
        const p = x < 0.76 ? 32 : x < 0.9 ? 24 : 20 + Math.floor(r() * 4);
        list[i] = p === 32 ? quad(addr) : `${quad(addr)}/${p}`;
        if (v4Hosts.length < PROBES / 2) v4Hosts.push(addr);
      } else {
        list[i] =
          `2001:${hex(r() * 0x10000)}:${hex(r() * 0x10000)}:${hex(r() * 0x10000)}::/${48 + Math.floor(r() * 17)}`;
      }
    }

    const t0 = performance.now();
    const set = buildCidrSet(list);
    const buildMs = performance.now() - t0;
    report({ name: "cidr.build.1m", value: buildMs, unit: "ms", target: "< 5000" });

    // Half the probes hit listed addresses, half are random.
    const v4Probes: string[] = [];
    for (let i = 0; i < PROBES; i++)
      v4Probes.push(
        i % 2 === 0 && v4Hosts.length > 0
          ? quad(v4Hosts[(i / 2) % v4Hosts.length]!)
          : quad(Math.floor(r() * 0x100000000)),
      );
    const v6Probes: string[] = [];
    for (let i = 0; i < 4096; i++)
      v6Probes.push(`2001:${hex(r() * 0x10000)}:${hex(r() * 0x10000)}::${hex(r() * 0x10000)}`);

    let i = 0;
    let hits = 0;
    const v4Rate = throughput(
      () => {
        if (set.has(v4Probes[i++ & (PROBES - 1)]!)) hits++;
      },
      1000,
      10_000,
    );
    report({ name: "cidr.lookup.1m", value: v4Rate, unit: "lookups/s", target: ">= 1000000" });

    // Mixed traffic, 95 % IPv4 / 5 % IPv6, like the set itself.
    i = 0;
    let j = 0;
    const mixedRate = throughput(
      () => {
        const ip = (i & 31) === 0 || (i & 31) === 16 ? v6Probes[j++ & 4095]! : v4Probes[i & (PROBES - 1)]!;
        i++;
        if (set.has(ip)) hits++;
      },
      1000,
      10_000,
    );
    report({ name: "cidr.lookup.1m.mixed", value: mixedRate, unit: "lookups/s", target: ">= 1000000" });

    j = 0;
    const v6Rate = throughput(
      () => {
        if (set.has(v6Probes[j++ & 4095]!)) hits++;
      },
      500,
      1000,
    );
    report({ name: "cidr.lookup.1m.v6", value: v6Rate, unit: "lookups/s", target: ">= 1000000" });
    if (hits < 0) throw new Error("unreachable");
  },
} satisfies BenchSuite;
