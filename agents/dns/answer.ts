/**
 * What a DNS answer teaches the agent: the queried name, the CNAME chain that starts at it
 * (followed within the answer section only), and the A/AAAA addresses of the chain's final
 * name. Records that are not reachable from the question (unrelated or injected owners) are
 * ignored.
 */
import { isIP, isIPv4, isIPv6 } from "node:net";
import type { Packet } from "dns-packet";
import { normaliseDomainName } from "../../server/policy/domain";

export interface LearnedAddress {
  /** Textual address as decoded from the answer (IPv6 in compressed lower-case form). */
  ip: string;
  family: 4 | 6;
  /**
   * Seconds this name → address binding is valid for, as the answer presents it: the minimum
   * of the address record's TTL and the TTLs of the CNAME records leading to it.
   */
  ttl: number;
}

export interface LearnedAnswer {
  /** Address of the pod (or other client) that asked; IPv4-mapped IPv6 is reported as IPv4. */
  clientIp: string;
  /** The queried name followed by every CNAME target in chain order, normalised (lower case, no trailing dot). */
  names: string[];
  /** Addresses of the final name of the chain, de-duplicated (the longest TTL wins). */
  addresses: LearnedAddress[];
}

/** Canonical text of an IP literal (IPv4-mapped IPv6 becomes IPv4), so addresses compare equal. */
export function canonicalIp(ip: string): string {
  if (ip.startsWith("::ffff:") && isIPv4(ip.slice(7))) return ip.slice(7);
  if (isIPv6(ip)) return new URL(`http://[${ip}]`).hostname.slice(1, -1);
  return ip;
}

/** Longest CNAME chain followed; longer chains (or loops) stop here. */
export const MAX_CNAME_CHAIN = 16;

/**
 * Extracts the learned answer from a decoded DNS response, or `undefined` when the response
 * carries no address for the queried name (NXDOMAIN, NODATA, a chain without addresses).
 */
export function extractLearned(response: Packet, clientIp: string): LearnedAnswer | undefined {
  const question = response.questions?.[0];
  if (!question) return undefined;
  const cnames = new Map<string, { target: string; ttl: number }>();
  const byOwner = new Map<string, LearnedAddress[]>();
  for (const rr of response.answers ?? []) {
    if (rr.type !== "CNAME" && rr.type !== "A" && rr.type !== "AAAA") continue;
    if (rr.class !== undefined && rr.class !== "IN") continue;
    if (typeof rr.data !== "string") continue;
    const owner = normaliseDomainName(rr.name);
    const ttl = Math.max(0, Math.floor(rr.ttl ?? 0));
    if (rr.type === "CNAME") {
      // A name owns at most one CNAME (RFC 1034 §3.6.2); keep the first.
      if (!cnames.has(owner)) cnames.set(owner, { target: normaliseDomainName(rr.data), ttl });
      continue;
    }
    const family = isIP(rr.data);
    if (family !== (rr.type === "A" ? 4 : 6)) continue;
    let list = byOwner.get(owner);
    if (!list) byOwner.set(owner, (list = []));
    list.push({ ip: family === 6 ? canonicalIp(rr.data) : rr.data, family: family as 4 | 6, ttl });
  }
  let current = normaliseDomainName(question.name);
  const names = [current];
  const seen = new Set(names);
  let chainTtl = Number.POSITIVE_INFINITY;
  for (let link = cnames.get(current); link && names.length <= MAX_CNAME_CHAIN; link = cnames.get(current)) {
    if (seen.has(link.target)) break;
    chainTtl = Math.min(chainTtl, link.ttl);
    current = link.target;
    seen.add(current);
    names.push(current);
  }
  const found = byOwner.get(current);
  if (!found || found.length === 0) return undefined;
  const unique = new Map<string, LearnedAddress>();
  for (const a of found) {
    const ttl = Math.min(a.ttl, chainTtl);
    const prev = unique.get(a.ip);
    if (!prev || prev.ttl < ttl) unique.set(a.ip, { ip: a.ip, family: a.family, ttl });
  }
  return { clientIp, names, addresses: [...unique.values()] };
}
