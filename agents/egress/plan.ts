/**
 * Egress gateway planning (pure): from the bundle's EgressIPPools and EgressAssignments, the
 * cluster's pods and nodes, and who holds each egress IP, what this node must program.
 *
 * Model (issue #8): an EgressAssignment gives the pods of its namespace (narrowed by its
 * `podSelector`) one egress IP from its pool, for destinations in its scope — `destinations`
 * (nets and/or network sets selected by label), or by default everything outside the cluster's
 * pod and service ranges. Exactly one node of the pool's `gatewayNodeSelector` holds the IP at a
 * time (a Lease per IP, see `leases.ts`); every node sends such traffic to the holder, which
 * source-NATs it to the egress IP.
 *
 * Data path on every node, in `table ip portcullis_egress` (never the policy table):
 * - prerouting (priority mangle): packets from an assignment's pod IPs to its scope get the
 *   assignment's fwmark (bits of `markMask`). Routing then happens by policy routing
 *   (`ip rule fwmark M/mask lookup T`): table T routes `default via <holder's node address>`,
 *   `throw default` (back to the main table) on the holder itself, `unreachable default` when
 *   there is no valid holder. The packet is still forwarded on the source node, so the policy
 *   table's forward hook (priority filter) sees it first, with the pod's true source address.
 * - forward (priority filter + 10, after policy): fail closed — marked packets are dropped
 *   when there is no holder, or when routing did not pick the holder as next hop (the fwmark
 *   rule missing or wrong: the packet would leak out with another address).
 * - postrouting (nat, priority srcnat - 10, ahead of a CNI's masquerade): on the holder,
 *   `snat to <egress IP>`; elsewhere a null SNAT to the packet's own source, which keeps the
 *   pod address for the holder and stops later source NAT (e.g. natOutgoing) on this node.
 * Pod churn changes set elements only; holder changes change rules (a small, atomic table
 * replacement).
 *
 * IPv4 only: IPv6 pools and assignments are reported as unsupported (and their traffic is
 * not touched).
 */
import { aggregateCidrs, type Cidr } from "../../server/policy/cidr";
import type { TEgressAssignment, TEgressIPPool, TResource } from "../../server/policy/resources";
import { parseSelector, type Selector } from "../../server/policy/selector";
import { allocateEgressIps, egressAssignmentKey as keyOf } from "../../server/policy/egress-allocation";

export { allocateEgressIps };

export const EGRESS_TABLE = "portcullis_egress";
export const EGRESS_TABLE_REF = `ip ${EGRESS_TABLE}`;

export interface EgressPod {
  namespace: string;
  labels: Readonly<Record<string, string>>;
  ips: readonly string[];
  hostNetwork?: boolean | undefined;
  phase?: string | undefined;
}

export interface EgressNode {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** The node's underlay (InternalIP) IPv4 address, where other nodes route egress traffic to. */
  address: string | null;
}

export interface PlanConfig {
  /** Cluster pod ranges: never egress-gatewayed by default. */
  podCidrs: readonly string[];
  /** Cluster service ranges: never egress-gatewayed by default. */
  serviceCidrs: readonly string[];
  /** More ranges that count as cluster-internal (e.g. the node network); default none. */
  internalCidrs?: readonly string[] | undefined;
}

export interface PlannedAssignment {
  /** `namespace/name`. */
  key: string;
  namespace: string;
  name: string;
  pool: string;
  /** The egress IP (explicit or allocated); null when none could be given (see `problem`). */
  ip: string | null;
  problem: string | null;
  /** IPv4 addresses of the pods it covers, sorted. */
  podIps: string[];
  /** Destination CIDRs (aggregated); null = everything outside the cluster ranges. */
  destinations: string[] | null;
  /** Nodes that may hold its IP (the pool's gatewayNodeSelector), sorted. */
  gatewayNodes: string[];
  /** 1-based slot: fwmark and route table derive from it. */
  slot: number;
}

export interface EgressPlan {
  assignments: PlannedAssignment[];
  /** Cluster-internal ranges (aggregated): pod, service and extra internal CIDRs. */
  internal: string[];
  /** Assigned egress IPs → the nodes eligible to hold them (only IPs with an assignment). */
  leases: Map<string, { pool: string; gatewayNodes: string[] }>;
  warnings: string[];
}

function v4Text(c: Cidr): string {
  return c.text;
}


function safeSelector(text: string | undefined, warnings: string[], what: string): Selector | null {
  if (text === undefined) return null;
  try {
    return parseSelector(text);
  } catch (err) {
    warnings.push(`${what}: invalid selector ${JSON.stringify(text)}: ${err instanceof Error ? err.message : String(err)}`);
    return parseSelector("!all()");
  }
}


function aggregateV4(cidrs: readonly string[]): string[] {
  return aggregateCidrs(cidrs.filter((c) => !c.includes(":"))).cidrs.filter((c) => c.family === 4).map(v4Text);
}

/** Plans every assignment of the bundle for the given pods and nodes (no holder knowledge). */
export function planEgress(resources: readonly TResource[], pods: readonly EgressPod[], nodes: readonly EgressNode[], config: PlanConfig): EgressPlan {
  const warnings: string[] = [];
  const pools = resources.filter((r): r is TEgressIPPool => r.kind === "EgressIPPool");
  const assignments = resources.filter((r): r is TEgressAssignment => r.kind === "EgressAssignment");
  const allocation = allocateEgressIps(pools, assignments);
  const poolByName = new Map(pools.map((p) => [p.metadata.name, p] as const));
  const eligibleByPool = new Map<string, string[]>();
  for (const p of pools) {
    const sel = safeSelector(p.spec.gatewayNodeSelector, warnings, `EgressIPPool ${p.metadata.name} gatewayNodeSelector`);
    eligibleByPool.set(
      p.metadata.name,
      nodes
        .filter((n) => sel === null || sel.matches(n.labels))
        .map((n) => n.name)
        .sort(),
    );
  }
  const netsets = resources.filter((r) => r.kind === "GlobalNetworkSet" || r.kind === "NetworkSet");
  // Pod-level assignments come first: a pod covered by two assignments gets the narrower one.
  const ordered = [...assignments].sort((a, b) => Number(b.spec.podSelector !== undefined) - Number(a.spec.podSelector !== undefined) || keyOf(a).localeCompare(keyOf(b)));
  const planned: PlannedAssignment[] = ordered.map((a, i) => {
    const ns = a.metadata.namespace ?? "default";
    const sel = safeSelector(a.spec.podSelector, warnings, `EgressAssignment ${keyOf(a)} podSelector`);
    const podIps = new Set<string>();
    for (const p of pods) {
      if (p.namespace !== ns || p.hostNetwork || p.phase === "Succeeded" || p.phase === "Failed") continue;
      if (sel && !sel.matches(p.labels)) continue;
      for (const ip of p.ips) if (!ip.includes(":")) podIps.add(ip);
    }
    let destinations: string[] | null = null;
    const d = a.spec.destinations;
    if (d) {
      const nets = [...(d.nets ?? [])];
      const nsSel = safeSelector(d.networkSetSelector, warnings, `EgressAssignment ${keyOf(a)} destinations.networkSetSelector`);
      if (nsSel) {
        for (const s of netsets) {
          if (s.kind === "NetworkSet" && s.metadata.namespace !== ns) continue;
          if (nsSel.matches(s.metadata.labels ?? {})) nets.push(...((s.spec as { nets?: string[] }).nets ?? []));
        }
      }
      destinations = aggregateV4(nets);
    }
    const alloc = allocation.get(keyOf(a));
    return {
      key: keyOf(a),
      namespace: ns,
      name: a.metadata.name,
      pool: a.spec.pool,
      ip: alloc && "ip" in alloc ? alloc.ip : null,
      problem: alloc && "problem" in alloc ? alloc.problem : null,
      podIps: [...podIps].sort(),
      destinations,
      gatewayNodes: poolByName.has(a.spec.pool) ? (eligibleByPool.get(a.spec.pool) ?? []) : [],
      slot: i + 1,
    };
  });
  const leases = new Map<string, { pool: string; gatewayNodes: string[] }>();
  for (const a of planned) if (a.ip) leases.set(a.ip, { pool: a.pool, gatewayNodes: a.gatewayNodes });
  const internal = aggregateV4([...config.podCidrs, ...config.serviceCidrs, ...(config.internalCidrs ?? [])]);
  return { assignments: planned, internal, leases, warnings };
}

// --- dataplane rendering -----------------------------------------------------------------

/** Who serves an egress IP, as this node sees it. */
export type HolderView = { kind: "self"; node: string } | { kind: "remote"; node: string; address: string } | { kind: "none"; reason: string };

export interface RenderConfig {
  /** Bits of the packet mark used for assignment slots (contiguous); default 0x7f000000. */
  markMask: number;
  /** Route table of slot N is `routeTableBase + N`. */
  routeTableBase: number;
  /** `ip rule` priority of the fwmark rules. */
  rulePriority: number;
}

export const DEFAULT_RENDER: RenderConfig = { markMask: 0x7f000000, routeTableBase: 7700, rulePriority: 1000 };

export interface RouteSpec {
  table: number;
  /** The one route of the table, in `ip route replace` words. */
  route: string[];
}

export interface RuleSpec {
  mark: number;
  mask: number;
  table: number;
  priority: number;
}

export interface DataplaneState {
  /** The table without set elements (chains, set declarations): changes only when holders or assignments change. */
  structure: string;
  /** Set name → elements (pod IPs, CIDRs). */
  elements: Map<string, string[]>;
  routes: RouteSpec[];
  rules: RuleSpec[];
  /** Egress IPs this node holds: on the uplink, announced. */
  addresses: string[];
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, "0")}`;

/** The fwmark of a slot: the slot number shifted into the mask's bits. */
export function slotMark(slot: number, mask: number): number {
  const lowBit = 31 - Math.clz32(mask & -mask);
  return ((slot << lowBit) & mask) >>> 0;
}

/** Largest slot the mask can carry. */
export function maxSlots(mask: number): number {
  const low = mask & -mask;
  return Math.floor((mask >>> 0) / (low >>> 0));
}

function comment(s: string): string {
  return `comment ${JSON.stringify(s.replace(/"/g, "'").slice(0, 120))}`;
}

export function renderDataplane(plan: EgressPlan, holders: ReadonlyMap<string, HolderView>, cfg: RenderConfig = DEFAULT_RENDER): DataplaneState {
  const mask = cfg.markMask >>> 0;
  const keep = hex(~mask >>> 0);
  const elements = new Map<string, string[]>();
  const sets: string[] = [`  set internal { type ipv4_addr; flags interval; }`];
  elements.set("internal", plan.internal);
  const pre = ["    type filter hook prerouting priority mangle; policy accept;"];
  const fwd = ["    type filter hook forward priority filter + 10; policy accept;"];
  const post = ["    type nat hook postrouting priority srcnat - 10; policy accept;"];
  const routes: RouteSpec[] = [];
  const rules: RuleSpec[] = [];
  const addresses: string[] = [];
  const limit = maxSlots(mask);
  for (const a of plan.assignments) {
    if (a.slot > limit) continue;
    const mark = slotMark(a.slot, mask);
    const m = `meta mark & ${hex(mask)} == ${hex(mark)}`;
    const src = `a${a.slot}_src`;
    sets.push(`  set ${src} { type ipv4_addr; }`);
    elements.set(src, a.podIps);
    let scope = "ip daddr != @internal";
    if (a.destinations !== null) {
      const dst = `a${a.slot}_dst`;
      sets.push(`  set ${dst} { type ipv4_addr; flags interval; }`);
      elements.set(dst, a.destinations);
      scope = `ip daddr @${dst}`;
    }
    pre.push(`    ip saddr @${src} ${scope} meta mark set meta mark & ${keep} | ${hex(mark)} accept ${comment(`${a.key} -> ${a.ip ?? "no ip"}`)}`);
    const table = cfg.routeTableBase + a.slot;
    rules.push({ mark, mask, table, priority: cfg.rulePriority });
    const h: HolderView = a.ip ? (holders.get(a.ip) ?? { kind: "none", reason: "no lease holder" }) : { kind: "none", reason: a.problem ?? "no egress ip" };
    if (h.kind === "self") {
      routes.push({ table, route: ["throw", "default"] });
      post.push(`    ${m} counter snat ip to ${a.ip} ${comment(`${a.key} egress ip`)}`);
      addresses.push(a.ip!);
    } else if (h.kind === "remote") {
      routes.push({ table, route: ["default", "via", h.address] });
      fwd.push(`    ${m} rt ip nexthop != ${h.address} counter drop ${comment(`${a.key}: not routed to gateway ${h.node}`)}`);
      post.push(`    ${m} counter snat ip to ip saddr ${comment(`${a.key}: keep pod source for gateway ${h.node}`)}`);
    } else {
      routes.push({ table, route: ["unreachable", "default"] });
      fwd.push(`    ${m} counter drop ${comment(`${a.key}: no gateway (${h.reason})`)}`);
    }
  }
  const structure = [`table ${EGRESS_TABLE_REF} {`, ...sets, "  chain prerouting {", ...pre, "  }", "  chain forward {", ...fwd, "  }", "  chain postrouting {", ...post, "  }", "}", ""].join("\n");
  return { structure, elements, routes, rules, addresses: [...new Set(addresses)].sort() };
}
