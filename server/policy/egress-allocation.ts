import { cidrContainsIp, parseCidr, parseIp, type Cidr } from "./cidr";
import type { TEgressAssignment, TEgressIPPool } from "./resources";

/**
 * Egress IP allocation, shared by the agents (which program it) and the console (which shows
 * it): pure and deterministic, so every node and the console compute the same answer from the
 * same revision.
 */
export function egressAssignmentKey(a: TEgressAssignment): string {
  return `${a.metadata.namespace ?? "default"}/${a.metadata.name}`;
}

function ipv4ToText(n: bigint): string {
  const x = Number(n);
  return `${(x >>> 24) & 255}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
}

/**
 * Gives every assignment its egress IP. Explicit `ip`s first (the first assignment by
 * `namespace/name` wins a duplicate), then assignments without one, in `namespace/name` order,
 * get the lowest free address of their pool (pool CIDRs in order; excluded addresses skipped;
 * network and broadcast addresses of prefixes up to /30 skipped). Deterministic, so every node
 * computes the same answer from the same bundle.
 */
export function allocateEgressIps(pools: readonly TEgressIPPool[], assignments: readonly TEgressAssignment[]): Map<string, { ip: string } | { problem: string }> {
  const out = new Map<string, { ip: string } | { problem: string }>();
  const byName = new Map(pools.map((p) => [p.metadata.name, p] as const));
  const sorted = [...assignments].sort((a, b) => egressAssignmentKey(a).localeCompare(egressAssignmentKey(b)));
  const taken = new Map<string, string>();
  const poolRanges = new Map<string, { cidrs: Cidr[]; exclude: Cidr[] }>();
  for (const p of pools) {
    const cidrs = p.spec.cidrs.map((c) => parseCidr(c, { strict: false }));
    const exclude = (p.spec.exclude ?? []).map((c) => parseCidr(c, { strict: false }));
    poolRanges.set(p.metadata.name, { cidrs, exclude });
  }
  const usable = (pool: string, ip: string): string | null => {
    const r = poolRanges.get(pool)!;
    if (!r.cidrs.some((c) => cidrContainsIp(c, ip))) return `ip ${ip} is not inside pool "${pool}"`;
    if (r.exclude.some((c) => cidrContainsIp(c, ip))) return `ip ${ip} is excluded from pool "${pool}"`;
    return null;
  };
  for (const a of sorted) {
    const pool = byName.get(a.spec.pool);
    if (!pool) {
      out.set(egressAssignmentKey(a), { problem: `egress IP pool "${a.spec.pool}" does not exist` });
      continue;
    }
    if (a.spec.ip === undefined) continue;
    const ip = parseIp(a.spec.ip);
    if (ip.family !== 4) {
      out.set(egressAssignmentKey(a), { problem: `IPv6 egress IPs are not supported yet (${ip.text})` });
      continue;
    }
    const problem = usable(pool.metadata.name, ip.text);
    const other = taken.get(ip.text);
    if (problem) out.set(egressAssignmentKey(a), { problem });
    else if (other) out.set(egressAssignmentKey(a), { problem: `ip ${ip.text} is already assigned by ${other}` });
    else {
      taken.set(ip.text, egressAssignmentKey(a));
      out.set(egressAssignmentKey(a), { ip: ip.text });
    }
  }
  for (const a of sorted) {
    if (out.has(egressAssignmentKey(a))) continue;
    const r = poolRanges.get(a.spec.pool)!;
    let found: string | null = null;
    for (const c of r.cidrs) {
      if (c.family !== 4) continue;
      const skipEdges = c.prefix <= 30;
      for (let v = c.start; v <= c.end && found === null; v++) {
        if (skipEdges && (v === c.start || v === c.end)) continue;
        const ip = ipv4ToText(v);
        if (taken.has(ip) || r.exclude.some((e) => cidrContainsIp(e, ip))) continue;
        found = ip;
      }
      if (found) break;
    }
    if (found === null) {
      const v6only = r.cidrs.every((c) => c.family !== 4);
      out.set(egressAssignmentKey(a), { problem: v6only ? `pool "${a.spec.pool}" is IPv6; IPv6 egress IPs are not supported yet` : `pool "${a.spec.pool}" has no free address` });
    } else {
      taken.set(found, egressAssignmentKey(a));
      out.set(egressAssignmentKey(a), { ip: found });
    }
  }
  return out;
}
