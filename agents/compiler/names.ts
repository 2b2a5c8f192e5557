/**
 * Stable, length-capped nftables identifiers. nft names are at most 31 characters; every name
 * the compiler makes is `<prefix>_<readable part>_<hash>` where the hash (10 base-36 digits of
 * SHA-256 over the full key) keeps it unique and the readable part is cut to fit.
 */
import { createHash } from "node:crypto";

export const NFT_NAME_MAX = 31;

export function shortHash(key: string, length = 10): string {
  const digest = createHash("sha256").update(key).digest();
  let n = digest.readBigUInt64BE(0);
  let out = "";
  for (let i = 0; i < length; i++) {
    out += (n % 36n).toString(36);
    n /= 36n;
  }
  return out;
}

function sanitise(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

/** `<prefix>_<readable>_<hash(key)>`, at most 31 characters; the readable part is optional. */
export function nftName(prefix: string, key: string, readable?: string): string {
  const hash = shortHash(key);
  const base = `${prefix}_`;
  const room = NFT_NAME_MAX - base.length - hash.length - 1;
  const r = readable ? sanitise(readable).slice(0, room).replace(/_+$/, "") : "";
  return r ? `${base}${r}_${hash}` : `${base}${hash}`;
}

/** Text safe inside an nft double-quoted string (comments, log prefixes), cut to `max` characters. */
export function nftString(text: string, max: number): string {
  return text.replace(/["\\\n\r\t]/g, "'").replace(/[^\x20-\x7e]/g, "?").slice(0, max);
}
