/**
 * Address ranges for nft interval sets: union of CIDRs and single addresses, merged so that no
 * two elements overlap or touch (an interval set without auto-merge accepts them, and element
 * add/delete diffs stay exact), rendered as a CIDR when aligned and as `a-b` otherwise.
 */
import type { Cidr } from "../../server/policy/cidr";

/** Sorted, disjoint, non-adjacent inclusive ranges of one family. v4 uses numbers, v6 bigints. */
export type V4Ranges = number[]; // flat [start0, end0, start1, end1, ...]
export type V6Ranges = bigint[];

export function v4FromCidrs(cidrs: readonly Cidr[]): V4Ranges {
  const pairs: Array<[number, number]> = [];
  for (const c of cidrs) if (c.family === 4) pairs.push([Number(c.start), Number(c.end)]);
  return mergeV4(pairs);
}

export function v6FromCidrs(cidrs: readonly Cidr[]): V6Ranges {
  const pairs: Array<[bigint, bigint]> = [];
  for (const c of cidrs) if (c.family === 6) pairs.push([c.start, c.end]);
  return mergeV6(pairs);
}

export function mergeV4(pairs: Array<[number, number]>): V4Ranges {
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: number[] = [];
  for (const [s, e] of pairs) {
    const n = out.length;
    if (n > 0 && s <= out[n - 1]! + 1) {
      if (e > out[n - 1]!) out[n - 1] = e;
    } else out.push(s, e);
  }
  return out;
}

export function mergeV6(pairs: Array<[bigint, bigint]>): V6Ranges {
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const out: bigint[] = [];
  for (const [s, e] of pairs) {
    const n = out.length;
    if (n > 0 && s <= out[n - 1]! + 1n) {
      if (e > out[n - 1]!) out[n - 1] = e;
    } else out.push(s, e);
  }
  return out;
}

export function v4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function v6Text(n: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (>= 2) of zero groups, leftmost on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

function v4RangeText(s: number, e: number): string {
  if (s === e) return v4Text(s);
  const size = e - s + 1;
  if ((size & (size - 1)) === 0 && s % size === 0) return `${v4Text(s)}/${32 - Math.log2(size)}`;
  return `${v4Text(s)}-${v4Text(e)}`;
}

function v6RangeText(s: bigint, e: bigint): string {
  if (s === e) return v6Text(s);
  const size = e - s + 1n;
  if ((size & (size - 1n)) === 0n && s % size === 0n) return `${v6Text(s)}/${128 - (size.toString(2).length - 1)}`;
  return `${v6Text(s)}-${v6Text(e)}`;
}

export function renderV4(r: V4Ranges): string[] {
  const out: string[] = [];
  for (let i = 0; i < r.length; i += 2) out.push(v4RangeText(r[i]!, r[i + 1]!));
  return out;
}

export function renderV6(r: V6Ranges): string[] {
  const out: string[] = [];
  for (let i = 0; i < r.length; i += 2) out.push(v6RangeText(r[i]!, r[i + 1]!));
  return out;
}

/** Merged port ranges rendered for an nft anonymous set (`80`, `8000-8080`). */
export function portElements(ranges: ReadonlyArray<{ min: number; max: number }>): string[] {
  const merged = mergeV4(ranges.map((r) => [r.min, r.max]));
  const out: string[] = [];
  for (let i = 0; i < merged.length; i += 2) out.push(merged[i] === merged[i + 1] ? String(merged[i]) : `${merged[i]}-${merged[i + 1]}`);
  return out;
}
