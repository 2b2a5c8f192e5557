import { parseCidr, parseIp } from "./cidr";

/**
 * The address space of an egress IP pool as the allocator sees it (egress-allocation.ts): its
 * IPv4 CIDRs without the network and broadcast address of prefixes up to /30, minus its
 * exclusions. Kept as sorted, disjoint, inclusive ranges of 32-bit integers, so a /8 pool is
 * counted and paged without listing sixteen million addresses. Pure: the console's server and
 * the pool form in the browser use the same numbers.
 */
export interface Ipv4Range {
  start: number;
  end: number;
}

export function ipv4ToNumber(text: string): number | null {
  try {
    const ip = parseIp(text);
    return ip.family === 4 ? Number(ip.value) : null;
  } catch {
    return null;
  }
}

export function numberToIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Sorted, merged (overlapping and adjacent joined) copy of `ranges`. */
export function mergeRanges(ranges: readonly Ipv4Range[]): Ipv4Range[] {
  const sorted = ranges.filter((r) => r.start <= r.end).map((r) => ({ ...r })).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Ipv4Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push(r);
  }
  return out;
}

/** `ranges` without the addresses of `remove` (both in any order; the result is sorted and disjoint). */
export function subtractRanges(ranges: readonly Ipv4Range[], remove: readonly Ipv4Range[]): Ipv4Range[] {
  const cut = mergeRanges(remove);
  const out: Ipv4Range[] = [];
  for (const r of mergeRanges(ranges)) {
    let start = r.start;
    for (const c of cut) {
      if (c.end < start) continue;
      if (c.start > r.end) break;
      if (c.start > start) out.push({ start, end: c.start - 1 });
      start = Math.max(start, c.end + 1);
      if (start > r.end) break;
    }
    if (start <= r.end) out.push({ start, end: r.end });
  }
  return out;
}

export function countRanges(ranges: readonly Ipv4Range[]): number {
  return ranges.reduce((n, r) => n + (r.end - r.start + 1), 0);
}

/** The addresses the allocator may hand out from a pool's `cidrs` and `exclude` (unparseable entries are ignored). */
export function usablePoolRanges(spec: { cidrs: readonly string[]; exclude?: readonly string[] }): Ipv4Range[] {
  const ranges: Ipv4Range[] = [];
  for (const c of spec.cidrs) {
    let p;
    try {
      p = parseCidr(c, { strict: false });
    } catch {
      continue;
    }
    if (p.family !== 4) continue;
    const start = Number(p.start);
    const end = Number(p.end);
    if (p.prefix <= 30) ranges.push({ start: start + 1, end: end - 1 });
    else ranges.push({ start, end });
  }
  const excluded: Ipv4Range[] = [];
  for (const e of spec.exclude ?? []) {
    try {
      const x = parseCidr(e, { strict: false });
      if (x.family === 4) excluded.push({ start: Number(x.start), end: Number(x.end) });
    } catch {
      continue;
    }
  }
  return subtractRanges(ranges, excluded);
}

export function rangesContain(ranges: readonly Ipv4Range[], n: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (n < r.start) hi = mid - 1;
    else if (n > r.end) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The part of `ranges` at or above address `from`. */
export function rangesFrom(ranges: readonly Ipv4Range[], from: number): Ipv4Range[] {
  return ranges.filter((r) => r.end >= from).map((r) => ({ start: Math.max(r.start, from), end: r.end }));
}

/** `limit` addresses starting at position `offset` (0-based) of the ranges, in address order. */
export function sliceRanges(ranges: readonly Ipv4Range[], offset: number, limit: number): string[] {
  const out: string[] = [];
  let skip = offset;
  for (const r of ranges) {
    const size = r.end - r.start + 1;
    if (skip >= size) {
      skip -= size;
      continue;
    }
    for (let v = r.start + skip; v <= r.end && out.length < limit; v++) out.push(numberToIpv4(v));
    skip = 0;
    if (out.length >= limit) break;
  }
  return out;
}

/** Free addresses of a pool: usable ones not in `taken` (IPv4 texts; others are ignored). */
export function freePoolRanges(spec: { cidrs: readonly string[]; exclude?: readonly string[] }, taken: Iterable<string>): Ipv4Range[] {
  const points: Ipv4Range[] = [];
  for (const ip of taken) {
    const n = ipv4ToNumber(ip);
    if (n !== null) points.push({ start: n, end: n });
  }
  return subtractRanges(usablePoolRanges(spec), points);
}
