/**
 * CIDR and IP maths for network sets and rule `nets`.
 *
 * Accepted syntax follows Go's `net.ParseCIDR`/`net.ParseIP` as Calico uses
 * them: IPv4 only as four decimal parts without leading zeros (`010.0.0.1`,
 * `10.1` and hex forms are rejected), IPv6 in any RFC 4291 text form (an
 * embedded dotted quad must itself be strict), no zone (`%eth0`), and a
 * decimal prefix length without leading zeros. A bare address is a /32 or
 * /128. IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) stay IPv6.
 *
 * Parsing and validation go through ipaddr.js; the only hand-written parser is
 * the strict dotted-quad fast path (`parseIpv4Fast`), which the tests
 * cross-check against ipaddr.js.
 */
import ipaddr from "ipaddr.js";

export type IpFamily = 4 | 6;

export interface Cidr {
  readonly family: IpFamily;
  /** Normalised: network address (RFC 5952 for IPv6) and prefix, e.g. "10.0.0.0/8", "2001:db8::/32". */
  readonly text: string;
  readonly prefix: number;
  /** First address of the range (the network address), as an unsigned integer. */
  readonly start: bigint;
  /** Last address of the range, as an unsigned integer. */
  readonly end: bigint;
}

export class CidrError extends Error {
  readonly input: string;
  constructor(message: string, input: string) {
    super(message);
    this.name = "CidrError";
    this.input = input;
  }
}

export interface ParsedIp {
  readonly family: IpFamily;
  /** Normalised text: dotted quad, or RFC 5952 for IPv6. */
  readonly text: string;
  /** The address as an unsigned integer. */
  readonly value: bigint;
}

const V4_BITS = 32;
const V6_BITS = 128;

/**
 * Strict dotted-quad parser over `s[from, to)`: exactly four decimal parts of
 * 1-3 digits, no leading zeros, each <= 255. Returns the address as an
 * unsigned 32-bit number, or -1 when the text is not such an address.
 */
export function parseIpv4Fast(s: string, from = 0, to = s.length): number {
  let acc = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  let leadingZero = false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 0) leadingZero = c === 0x30;
      else if (leadingZero) return -1;
      part = part * 10 + (c - 0x30);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 0x2e) {
      if (digits === 0 || parts === 3) return -1;
      acc = acc * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (digits === 0 || parts !== 3) return -1;
  return acc * 256 + part;
}

function formatIpv4(n: number): string {
  return `${Math.floor(n / 0x1000000) & 0xff}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

function v6PartsToBigint(parts: readonly number[]): bigint {
  let v = 0n;
  for (const p of parts) v = (v << 16n) | BigInt(p);
  return v;
}

function bigintToV6Text(v: bigint): string {
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  return new ipaddr.IPv6(parts).toString();
}

/** Parses an IPv6 address strictly (no zone, strict embedded dotted quad); null when invalid. */
function parseV6(text: string): bigint | null {
  if (text.includes("%")) return null;
  const dot = text.indexOf(".");
  if (dot >= 0) {
    const colon = text.lastIndexOf(":");
    if (colon < 0 || colon > dot || parseIpv4Fast(text, colon + 1) < 0) return null;
  }
  let parts: number[];
  try {
    parts = ipaddr.IPv6.parse(text).parts;
  } catch {
    return null;
  }
  return v6PartsToBigint(parts);
}

/**
 * Strict fast path for the common IPv6 text forms: 1–4 hex digits per group, at most one "::",
 * exactly 8 groups once expanded. Writes the address as four 32-bit words into `out` and returns
 * true; returns false for anything else (embedded dotted quads, zones, malformed text), which
 * then goes through ipaddr.js. Tests cross-check it against ipaddr.js.
 */
export function parseIpv6Fast(s: string, out: Uint32Array): boolean {
  const groups = new Array<number>(8);
  let n = 0;
  let gap = -1;
  let i = 0;
  const len = s.length;
  if (len < 2 || len > 39) return false;
  if (s.charCodeAt(0) === 0x3a) {
    if (s.charCodeAt(1) !== 0x3a) return false;
    gap = 0;
    i = 2;
    if (i === len) {
      out.fill(0);
      return true;
    }
  }
  for (;;) {
    let v = 0;
    let digits = 0;
    while (i < len) {
      const c = s.charCodeAt(i);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else break;
      v = (v << 4) | d;
      if (++digits > 4) return false;
      i++;
    }
    if (digits === 0 || n === 8) return false;
    groups[n++] = v;
    if (i === len) break;
    if (s.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i < len && s.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = n;
      i++;
      if (i === len) break;
    } else if (i === len) return false;
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  const full = new Array<number>(8).fill(0);
  if (gap < 0) for (let k = 0; k < 8; k++) full[k] = groups[k]!;
  else {
    for (let k = 0; k < gap; k++) full[k] = groups[k]!;
    const tail = n - gap;
    for (let k = 0; k < tail; k++) full[8 - tail + k] = groups[gap + k]!;
  }
  for (let w = 0; w < 4; w++) out[w] = ((full[2 * w]! << 16) | full[2 * w + 1]!) >>> 0;
  return true;
}

function bigintToWords(v: bigint, out: Uint32Array, at = 0): void {
  for (let w = 0; w < 4; w++) out[at + w] = Number((v >> BigInt(96 - 32 * w)) & 0xffffffffn);
}

/** -1, 0 or 1: words a[ai..ai+4) compared with b[bi..bi+4). */
function compareWords(a: Uint32Array, ai: number, b: Uint32Array, bi: number): number {
  for (let w = 0; w < 4; w++) {
    const x = a[ai + w]!;
    const y = b[bi + w]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function ipError(text: string): CidrError {
  return new CidrError(
    `invalid IP address ${JSON.stringify(text)}: expected an IPv4 dotted quad (e.g. 10.0.0.1) or an IPv6 address (e.g. 2001:db8::1)`,
    text,
  );
}

/** Parses a single IP address (no prefix). Throws CidrError. */
export function parseIp(text: string): ParsedIp {
  if (typeof text !== "string") throw ipError(String(text));
  const v4 = parseIpv4Fast(text);
  if (v4 >= 0) return { family: 4, text: formatIpv4(v4), value: BigInt(v4) };
  if (text.includes(":")) {
    const v = parseV6(text);
    if (v !== null) return { family: 6, text: bigintToV6Text(v), value: v };
  }
  throw ipError(text);
}

function hostMask(bits: number, prefix: number): bigint {
  return (1n << BigInt(bits - prefix)) - 1n;
}

function makeCidr(family: IpFamily, start: bigint, prefix: number): Cidr {
  const bits = family === 4 ? V4_BITS : V6_BITS;
  const end = start | hostMask(bits, prefix);
  const addr = family === 4 ? formatIpv4(Number(start)) : bigintToV6Text(start);
  return { family, text: `${addr}/${prefix}`, prefix, start, end };
}

/**
 * Parses a CIDR or a bare IP (-> /32 or /128).
 * `strict: true` rejects host bits (rule `nets`); the default masks them (network set `nets`).
 * Throws CidrError.
 */
export function parseCidr(text: string, opts?: { strict?: boolean }): Cidr {
  if (typeof text !== "string") throw new CidrError("expected a CIDR string", String(text));
  const slash = text.indexOf("/");
  const addrText = slash < 0 ? text : text.slice(0, slash);
  let family: IpFamily;
  let value: bigint;
  const v4 = parseIpv4Fast(addrText);
  if (v4 >= 0) {
    family = 4;
    value = BigInt(v4);
  } else {
    const v6 = addrText.includes(":") ? parseV6(addrText) : null;
    if (v6 === null) {
      throw new CidrError(
        `invalid CIDR ${JSON.stringify(text)}: expected an IPv4 or IPv6 address, optionally followed by /prefix`,
        text,
      );
    }
    family = 6;
    value = v6;
  }
  const bits = family === 4 ? V4_BITS : V6_BITS;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > bits) {
      throw new CidrError(`invalid CIDR ${JSON.stringify(text)}: expected a prefix length from 0 to ${bits}`, text);
    }
    prefix = Number(p);
  }
  const mask = hostMask(bits, prefix);
  const start = value & ~mask;
  if (start !== value && opts?.strict) {
    const net = makeCidr(family, start, prefix);
    throw new CidrError(
      `invalid CIDR ${JSON.stringify(text)}: host bits are set; expected the network address ${net.text}`,
      text,
    );
  }
  return makeCidr(family, start, prefix);
}

/** True when `ip` (text) lies inside `cidr`; false for the other family. Throws CidrError for an invalid IP. */
export function cidrContainsIp(cidr: Cidr, ip: string): boolean {
  const p = parseIp(ip);
  return p.family === cidr.family && p.value >= cidr.start && p.value <= cidr.end;
}

/** True when `outer` contains all of `inner` (same family). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

function compareCidrs(a: Cidr, b: Cidr): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  return a.prefix - b.prefix;
}

export interface AggregateResult {
  /** The minimal equivalent list, IPv4 first, each family sorted by address. */
  cidrs: Cidr[];
  /** Inputs (as given) whose normalised form repeats an earlier entry. */
  duplicates: string[];
  /** Normalised CIDRs dropped because a larger input CIDR contains them. */
  covered: Array<{ cidr: string; by: string }>;
  /** Each merge of two sibling halves into their parent, in the order performed (cascades included). */
  merged: Array<{ from: string[]; into: string }>;
  errors: Array<{ index: number; input: string; message: string }>;
}

/**
 * Normalises (host bits masked), drops exact duplicates and CIDRs covered by
 * larger ones, and merges adjacent sibling halves into their parent, repeatedly.
 * Every input ends up in exactly one of: `cidrs` (possibly via `merged`),
 * `duplicates`, `covered` or `errors`.
 */
export function aggregateCidrs(input: readonly string[]): AggregateResult {
  const errors: AggregateResult["errors"] = [];
  const duplicates: string[] = [];
  const covered: AggregateResult["covered"] = [];
  const merged: AggregateResult["merged"] = [];
  const seen = new Set<string>();
  const unique: Cidr[] = [];
  input.forEach((raw, index) => {
    let c: Cidr;
    try {
      c = parseCidr(typeof raw === "string" ? raw.trim() : raw);
    } catch (err) {
      errors.push({ index, input: String(raw), message: err instanceof Error ? err.message : String(err) });
      return;
    }
    if (seen.has(c.text)) {
      duplicates.push(raw);
      return;
    }
    seen.add(c.text);
    unique.push(c);
  });
  unique.sort(compareCidrs);

  const out: Cidr[] = [];
  // CIDRs are either nested or disjoint. Sorted by (family, start, prefix), a
  // container comes before what it contains and is the last kept entry.
  for (const c of unique) {
    const last = out[out.length - 1];
    if (last && cidrContains(last, c)) {
      covered.push({ cidr: c.text, by: last.text });
      continue;
    }
    out.push(c);
    // Merge sibling halves on the top of the stack, cascading upwards.
    for (;;) {
      const top = out[out.length - 1]!;
      const below = out[out.length - 2];
      if (!below || below.family !== top.family || below.prefix !== top.prefix || top.prefix === 0) break;
      const bits = top.family === 4 ? V4_BITS : V6_BITS;
      const parentMask = hostMask(bits, top.prefix - 1);
      if ((below.start & parentMask) !== 0n || below.end + 1n !== top.start) break;
      const parent = makeCidr(top.family, below.start, top.prefix - 1);
      merged.push({ from: [below.text, top.text], into: parent.text });
      out.length -= 2;
      out.push(parent);
    }
  }
  return { cidrs: out, duplicates, covered, merged, errors };
}

// ---------------------------------------------------------------------------
// CidrSet: membership over up to millions of CIDRs.

export interface CidrSet {
  /** Number of CIDRs the set was built from (after parsing, before merging). */
  readonly size: number;
  /** Number of disjoint address ranges after merging overlapping and adjacent CIDRs. */
  readonly rangeCount: number;
  /** True when `ip` lies in one of the CIDRs. An unparseable string is never a member (returns false). */
  has(ip: string): boolean;
  /** Membership for an address already parsed with parseIp. */
  hasParsed(ip: ParsedIp): boolean;
  /** Membership for an IPv4 address given as an unsigned 32-bit integer. */
  hasV4(addr: number): boolean;
}

/** Index of the last element of `starts[lo, hi)` that is <= x, or lo - 1. */
function upperIndex(starts: Uint32Array, x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

const BUCKETS = 0x10000;

/** Up to this many IPv4 ranges, a set has no /16 bucket table. */
const SMALL_SET = 64;

class CidrSetImpl implements CidrSet {
  /**
   * `buckets[h]` is the index of the first IPv4 range starting at or after
   * `h << 16`: a lookup only binary-searches the ranges of its /16 (plus the
   * one before, which may reach into it).
   */
  private readonly buckets: Uint32Array | null;

  constructor(
    readonly size: number,
    private readonly v4Starts: Uint32Array,
    private readonly v4Ends: Uint32Array,
    /** IPv6 ranges as four 32-bit words per address, sorted and disjoint. */
    private readonly v6Starts: Uint32Array,
    private readonly v6Ends: Uint32Array,
  ) {
    // Small sets (most rules' nets) binary-search all their ranges: the bucket table is 256 KiB.
    if (v4Starts.length <= SMALL_SET) {
      this.buckets = null;
      return;
    }
    const buckets = new Uint32Array(BUCKETS + 1);
    let r = 0;
    for (let h = 0; h <= BUCKETS; h++) {
      const base = h * 0x10000;
      while (r < v4Starts.length && v4Starts[r]! < base) r++;
      buckets[h] = r;
    }
    this.buckets = buckets;
  }

  get rangeCount(): number {
    return this.v4Starts.length + this.v6Starts.length / 4;
  }

  hasV4(addr: number): boolean {
    if (this.buckets === null) {
      const j = upperIndex(this.v4Starts, addr, 0, this.v4Starts.length);
      return j >= 0 && addr <= this.v4Ends[j]!;
    }
    const h = addr >>> 16;
    const first = this.buckets[h]!;
    const i = upperIndex(this.v4Starts, addr, first, this.buckets[h + 1]!);
    // i === first - 1: no range starts inside this /16 at or below addr; the previous range may still cover it.
    return i >= 0 && addr <= this.v4Ends[i]!;
  }

  private readonly scratch = new Uint32Array(4);

  /** Is the address in `words[0..4)` inside an IPv6 range? */
  private hasV6Words(words: Uint32Array): boolean {
    const s = this.v6Starts;
    let a = 0;
    let b = s.length / 4;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (compareWords(s, 4 * mid, words, 0) <= 0) a = mid + 1;
      else b = mid;
    }
    const i = a - 1;
    return i >= 0 && compareWords(words, 0, this.v6Ends, 4 * i) <= 0;
  }

  private hasV6(value: bigint): boolean {
    bigintToWords(value, this.scratch);
    return this.hasV6Words(this.scratch);
  }

  has(ip: string): boolean {
    const v4 = parseIpv4Fast(ip);
    if (v4 >= 0) return this.hasV4(v4);
    if (this.v6Starts.length === 0 || typeof ip !== "string" || !ip.includes(":")) return false;
    if (parseIpv6Fast(ip, this.scratch)) return this.hasV6Words(this.scratch);
    const v6 = parseV6(ip);
    return v6 !== null && this.hasV6(v6);
  }

  hasParsed(ip: ParsedIp): boolean {
    return ip.family === 4 ? this.hasV4(Number(ip.value)) : this.hasV6(ip.value);
  }
}

/**
 * Builds a membership set. Strings are parsed like network set `nets` (host
 * bits masked); an invalid string throws CidrError naming it.
 * IPv4 ranges live in two Uint32Arrays (binary search); IPv6 ranges in
 * Uint32Arrays of four 32-bit words per address (binary search, word by word).
 */
export function buildCidrSet(cidrs: readonly (string | Cidr)[]): CidrSet {
  // IPv4 keys: start * 64 + prefix, so a numeric sort orders by start then by size (largest first).
  const keys = new Float64Array(cidrs.length);
  let nv4 = 0;
  const v6: Array<{ start: bigint; end: bigint }> = [];
  for (const item of cidrs) {
    if (typeof item === "string") {
      const slash = item.indexOf("/");
      const addr = parseIpv4Fast(item, 0, slash < 0 ? item.length : slash);
      if (addr >= 0) {
        let prefix = 32;
        if (slash >= 0) {
          prefix = parsePrefixFast(item, slash + 1);
          if (prefix < 0) parseCidr(item); // throws the descriptive error
        }
        const size = 2 ** (32 - prefix);
        keys[nv4++] = (addr - (addr % size)) * 64 + prefix;
        continue;
      }
      const c = parseCidr(item);
      if (c.family === 6) v6.push(c);
      else keys[nv4++] = Number(c.start) * 64 + c.prefix;
    } else if (item.family === 4) {
      keys[nv4++] = Number(item.start) * 64 + item.prefix;
    } else {
      v6.push(item);
    }
  }
  const sorted = keys.subarray(0, nv4).sort();
  const starts = new Uint32Array(nv4);
  const ends = new Uint32Array(nv4);
  let n = 0;
  for (let i = 0; i < nv4; i++) {
    const key = sorted[i]!;
    const prefix = key % 64;
    const start = (key - prefix) / 64;
    const end = start + 2 ** (32 - prefix) - 1;
    // Merge overlapping or adjacent ranges.
    if (n > 0 && start <= ends[n - 1]! + 1) {
      if (end > ends[n - 1]!) ends[n - 1] = end;
      continue;
    }
    starts[n] = start;
    ends[n] = end;
    n++;
  }

  v6.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const ranges6: Array<{ start: bigint; end: bigint }> = [];
  for (const r of v6) {
    const last = ranges6[ranges6.length - 1];
    if (last && r.start <= last.end + 1n) {
      if (r.end > last.end) last.end = r.end;
      continue;
    }
    ranges6.push({ start: r.start, end: r.end });
  }
  const s6 = new Uint32Array(ranges6.length * 4);
  const e6 = new Uint32Array(ranges6.length * 4);
  ranges6.forEach((r, i) => {
    bigintToWords(r.start, s6, 4 * i);
    bigintToWords(r.end, e6, 4 * i);
  });
  return new CidrSetImpl(nv4 + v6.length, starts.slice(0, n), ends.slice(0, n), s6, e6);
}

/** Decimal prefix 0..32 without leading zeros from `s[from..]`, or -1. */
function parsePrefixFast(s: string, from: number): number {
  const len = s.length - from;
  if (len < 1 || len > 2) return -1;
  const c0 = s.charCodeAt(from) - 0x30;
  if (c0 < 0 || c0 > 9) return -1;
  if (len === 1) return c0;
  if (c0 === 0) return -1;
  const c1 = s.charCodeAt(from + 1) - 0x30;
  if (c1 < 0 || c1 > 9) return -1;
  const p = c0 * 10 + c1;
  return p <= 32 ? p : -1;
}

// ---------------------------------------------------------------------------
// Pasted lists.

export interface CidrListResult {
  entries: Array<{ line: number; cidr: Cidr }>;
  errors: Array<{ line: number; input: string; message: string }>;
  /** A first line that looks like a CSV header (no cell contains a digit) and was skipped. */
  header?: { line: number; text: string };
  /** Further cells on a line that also parse as CIDRs but were not taken (only the first is). */
  ignored: Array<{ line: number; input: string }>;
}

const CELL_SPLIT = /[,;\t ]+/;

function unquote(cell: string): string {
  const t = cell.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0]) return t.slice(1, -1).trim();
  return t;
}

/**
 * Parses a pasted list, one network per line (line numbers are 1-based):
 * - `#` starts a comment that runs to the end of the line; blank lines are skipped.
 * - A line is split into cells on commas, semicolons, tabs and spaces; quotes
 *   around a cell are removed. The FIRST cell that parses as a CIDR or IP is the
 *   line's entry. Other cells are ignored (notes, names), but cells that also
 *   parse as CIDRs are listed in `ignored` so nothing disappears silently.
 * - A line where no cell parses is an error, except a first line in which no
 *   cell contains a digit: that is a CSV header and is reported in `header`.
 * - `strict` (default false) rejects host bits instead of masking them.
 */
export function parseCidrList(text: string, opts?: { strict?: boolean }): CidrListResult {
  const entries: CidrListResult["entries"] = [];
  const errors: CidrListResult["errors"] = [];
  const ignored: CidrListResult["ignored"] = [];
  let header: CidrListResult["header"];
  let firstContentLine = true;
  const lines = text.split("\n");
  for (let li = 0; li < lines.length; li++) {
    const lineNo = li + 1;
    let raw = lines[li]!;
    if (raw.endsWith("\r")) raw = raw.slice(0, -1);
    const hash = raw.indexOf("#");
    const content = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (content === "") continue;
    const isFirst = firstContentLine;
    firstContentLine = false;
    const cells = content
      .split(CELL_SPLIT)
      .map(unquote)
      .filter((c) => c !== "");
    let taken: Cidr | undefined;
    let firstError: string | undefined;
    let firstErrorLooksLikeIp = false;
    for (const cell of cells) {
      try {
        const c = parseCidr(cell, opts);
        if (taken) ignored.push({ line: lineNo, input: cell });
        else taken = c;
      } catch (err) {
        // Prefer the message of a cell that looks like an address over a note or name.
        const message = err instanceof Error ? err.message : String(err);
        if (firstError === undefined || (!firstErrorLooksLikeIp && /[./:]/.test(cell))) {
          firstError = message;
          firstErrorLooksLikeIp = /[./:]/.test(cell);
        }
      }
    }
    if (taken) {
      entries.push({ line: lineNo, cidr: taken });
    } else if (isFirst && cells.length > 0 && !/[0-9]/.test(content)) {
      header = { line: lineNo, text: content };
    } else {
      errors.push({ line: lineNo, input: content, message: firstError ?? "expected a CIDR or IP address" });
    }
  }
  return header ? { entries, errors, header, ignored } : { entries, errors, ignored };
}
