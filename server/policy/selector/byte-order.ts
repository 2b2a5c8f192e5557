/**
 * Go compares strings byte-wise over their UTF-8 encoding. For well-formed
 * strings that is code point order, which differs from JavaScript's default
 * UTF-16 code unit order only when a surrogate pair (U+10000 and above) meets a
 * BMP character in U+E000..U+FFFF. This comparator fixes that case.
 */
export function compareBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (0xD800..0xDFFF) encode code points above 0xFFFF: move them above 0xE000..0xFFFF.
      x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
      y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Returns a new array: sorted by byte order and de-duplicated (Calico StringSet). */
export function sortedUnique(values: readonly string[]): string[] {
  const sorted = [...values].sort(compareBytes);
  const out: string[] = [];
  for (const v of sorted) if (out.length === 0 || out[out.length - 1] !== v) out.push(v);
  return out;
}
