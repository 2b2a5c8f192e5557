/**
 * compileSnapshot: turns a snapshot into a reusable, precompiled form: sorted
 * tiers and policies, effective selectors parsed once, CidrSets for rule nets
 * and network sets, an IP → endpoint map and per-endpoint caches.
 */
import { buildCidrSet, parseCidr, parseIp, type Cidr, type CidrSet, type ParsedIp } from "../cidr";
import { parseDomainPattern, type DomainPattern } from "../domain";
import {
  endpointLabelsForNetworkSet,
  endpointLabelsForPod,
  entitySelectorsFor,
  K8S_NAMESPACE_NAME_LABEL,
  policySelectorFor,
  type NamespaceLike,
  type ServiceAccountLike,
} from "../effective";
import { compareBytes, type Labels, type Selector } from "../selector/index";
import { BUILTIN_TIERS, defaultPolicyTypes, type TAnyPolicy, type TPolicyType } from "../resources/policy";
import { parsePortItem, protocolNumber, type TEntityRule, type TRule } from "../resources/rule";
import type { TAnyNetworkSet } from "../resources/network-set";
import { isNetworkSet, isPolicy, type TResource } from "../resources/index";
import type { Direction, PodInput, PolicyRef, Snapshot } from "./types";

// ---------------------------------------------------------------------------
// Endpoints and network sets

export interface NamedPort {
  name: string;
  port: number;
  protocol: number;
}

export interface CompiledEndpoint {
  /** Dense index, used by per-selector memo arrays. */
  readonly id: number;
  /** "ns/name" */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly ips: readonly ParsedIp[];
  readonly namedPorts: readonly NamedPort[];
  /** [policySetId][direction] → applicable tiers; filled lazily. */
  readonly applicable: (Map<Direction, ApplicableTier[]> | undefined)[];
  /** [direction] → staged policies taking part for this endpoint; filled lazily. */
  stagedRelevant?: Map<Direction, CompiledPolicy[]>;
}

export interface CompiledNetworkSet {
  readonly index: number;
  readonly kind: "NetworkSet" | "GlobalNetworkSet";
  readonly name: string;
  readonly namespace?: string;
  /** "GlobalNetworkSet name" / "NetworkSet ns/name" */
  readonly display: string;
  readonly labels: Labels;
  readonly cidrs: readonly Cidr[];
  readonly set: CidrSet;
  readonly domains: readonly DomainPattern[];
}

// ---------------------------------------------------------------------------
// Selectors

const NO = 1;
const YES = 2;

/** An effective selector compiled against the snapshot: endpoint memo, matched network sets. */
export class CompiledSelector {
  readonly netsets: readonly CompiledNetworkSet[];
  readonly domainSets: readonly CompiledNetworkSet[];
  private readonly memo: Uint8Array;
  private union: CidrSet | null | undefined;

  constructor(
    readonly selector: Selector,
    allSets: readonly CompiledNetworkSet[],
    endpointCount: number,
  ) {
    this.netsets = allSets.filter((s) => selector.matches(s.labels));
    this.domainSets = this.netsets.filter((s) => s.domains.length > 0);
    this.memo = new Uint8Array(endpointCount);
  }

  matchesEndpoint(ep: CompiledEndpoint): boolean {
    const m = this.memo[ep.id];
    if (m === YES) return true;
    if (m === NO) return false;
    const r = this.selector.matches(ep.labels);
    this.memo[ep.id] = r ? YES : NO;
    return r;
  }

  /** True when the IP lies in one of the matched network sets. */
  containsIp(ip: ParsedIp): boolean {
    if (this.netsets.length === 0) return false;
    if (this.union === undefined) {
      const withNets = this.netsets.filter((s) => s.cidrs.length > 0);
      this.union = withNets.length === 0 ? null : withNets.length === 1 ? withNets[0]!.set : buildCidrSet(withNets.flatMap((s) => s.cidrs));
    }
    return this.union !== null && this.union.hasParsed(ip);
  }

  /** The matched network sets whose allowedEgressDomains match the (normalised) name. */
  setsForDomain(domain: string): CompiledNetworkSet[] {
    return this.domainSets.filter((s) => s.domains.some((d) => d.matches(domain)));
  }

  /** The matched network sets containing the IP (for explanations). */
  setsContaining(ip: ParsedIp): CompiledNetworkSet[] {
    return this.netsets.filter((s) => s.set.hasParsed(ip));
  }
}

// ---------------------------------------------------------------------------
// Rules and policies

export interface FamilyNets {
  /** null: that family has no CIDRs in the list. */
  v4: CidrSet | null;
  v6: CidrSet | null;
}

export type PortMatcher = { kind: "range"; min: number; max: number } | { kind: "named"; name: string };

export interface CompiledEntity {
  nets: FamilyNets | null;
  notNets: FamilyNets | null;
  selector: CompiledSelector | null;
  notSelector: CompiledSelector | null;
  ports: PortMatcher[] | null;
  notPorts: PortMatcher[] | null;
  domains: DomainPattern[] | null;
  /** Kubernetes Service matches are not modelled (no Service objects in snapshots): never matches. */
  services: boolean;
}

export interface CompiledRule {
  index: number;
  action: TRule["action"];
  ipVersion: 4 | 6 | undefined;
  protocol: number | undefined;
  notProtocol: number | undefined;
  icmp: { type?: number | undefined; code?: number | undefined } | undefined;
  notIcmp: { type?: number | undefined; code?: number | undefined } | undefined;
  /** The rule is not rendered for that family (§2.5). */
  omit4: boolean;
  omit6: boolean;
  source: CompiledEntity;
  destination: CompiledEntity;
  /** Egress Allow: destination network sets' allowedEgressDomains count. */
  destinationDomainsFromSets: boolean;
}

export interface CompiledPolicy {
  readonly index: number;
  readonly ref: PolicyRef;
  /** "StagedNetworkPolicy shop/name" etc. */
  readonly display: string;
  readonly staged: boolean;
  readonly stagedAction: "Set" | "Delete" | "Learn" | "Ignore" | undefined;
  readonly tier: string;
  readonly order: number | undefined;
  readonly sortKey: string;
  readonly selector: Selector;
  readonly types: ReadonlySet<Direction>;
  readonly ingress: readonly CompiledRule[];
  readonly egress: readonly CompiledRule[];
  readonly selectMemo: Uint8Array;
}

export interface CompiledTier {
  readonly name: string;
  readonly order: number | undefined;
  readonly defaultAction: "Deny" | "Pass";
  readonly defined: boolean;
}

export interface ApplicableTier {
  tier: CompiledTier;
  policies: CompiledPolicy[];
}

export interface PolicySet {
  readonly id: number;
  readonly tiers: readonly { tier: CompiledTier; policies: readonly CompiledPolicy[] }[];
}

export interface CompiledSnapshot {
  readonly kind: "compiled-snapshot";
  readonly endpoints: readonly CompiledEndpoint[];
  readonly endpointsByKey: ReadonlyMap<string, CompiledEndpoint>;
  /** Normalised IP text → endpoint. */
  readonly endpointsByIp: ReadonlyMap<string, CompiledEndpoint>;
  readonly networkSets: readonly CompiledNetworkSet[];
  readonly tiers: readonly CompiledTier[];
  readonly policies: readonly CompiledPolicy[];
  /** Enforced policies (staged excluded). */
  readonly enforced: PolicySet;
  /** Staged Set policies replacing their enforced counterparts, Delete removing them (§3.3); null without staged policies. */
  readonly simulated: PolicySet | null;
  /** Staged policies and enforced policies a staged Delete removes. */
  readonly stagedParticipants: readonly CompiledPolicy[];
  readonly warnings: readonly string[];
}

function policyDisplay(p: TAnyPolicy): string {
  return p.kind === "NetworkPolicy" || p.kind === "StagedNetworkPolicy" ? `${p.kind} ${p.metadata.namespace}/${p.metadata.name}` : `${p.kind} ${p.metadata.name}`;
}

function compileNets(list: readonly string[] | undefined): FamilyNets | null {
  if (!list || list.length === 0) return null;
  const v4: Cidr[] = [];
  const v6: Cidr[] = [];
  for (const text of list) {
    let c: Cidr;
    try {
      c = parseCidr(text, { strict: false });
    } catch {
      continue; // unparseable CIDRs are dropped, as in the backend conversion (§2.5)
    }
    (c.family === 4 ? v4 : v6).push(c);
  }
  return { v4: v4.length ? buildCidrSet(v4) : null, v6: v6.length ? buildCidrSet(v6) : null };
}

function compilePorts(list: readonly (string | number)[] | undefined): PortMatcher[] | null {
  if (!list || list.length === 0) return null;
  const out: PortMatcher[] = [];
  for (const item of list) {
    try {
      out.push(parsePortItem(item));
    } catch {
      // invalid port items never match
    }
  }
  return out;
}

class Compiler {
  readonly selectors = new Map<string, CompiledSelector>();
  constructor(
    readonly networkSets: readonly CompiledNetworkSet[],
    readonly endpointCount: number,
  ) {}

  selector(sel: Selector | null): CompiledSelector | null {
    if (!sel) return null;
    const uid = sel.uid();
    let cs = this.selectors.get(uid);
    if (!cs) {
      cs = new CompiledSelector(sel, this.networkSets, this.endpointCount);
      this.selectors.set(uid, cs);
    }
    return cs;
  }

  entity(policy: TAnyPolicy, e: TEntityRule | undefined): CompiledEntity {
    const eff = entitySelectorsFor(policy, e);
    return {
      nets: compileNets(e?.nets),
      notNets: compileNets(e?.notNets),
      selector: this.selector(eff.selector),
      notSelector: this.selector(eff.notSelector),
      ports: compilePorts(e?.ports),
      notPorts: compilePorts(e?.notPorts),
      domains: e?.domains && e.domains.length ? e.domains.map((d) => parseDomainPattern(d)) : null,
      services: e?.services !== undefined,
    };
  }

  rule(policy: TAnyPolicy, r: TRule, index: number, direction: Direction): CompiledRule {
    const source = this.entity(policy, r.source);
    const destination = this.entity(policy, r.destination);
    const omitFor = (fam: "v4" | "v6") =>
      [source.nets, source.notNets, destination.nets, destination.notNets].some((n) => n !== null && n[fam] === null);
    const protocol = r.protocol === undefined ? undefined : protocolNumber(r.protocol);
    return {
      index,
      action: r.action,
      ipVersion: r.ipVersion,
      protocol,
      notProtocol: r.notProtocol === undefined ? undefined : protocolNumber(r.notProtocol),
      icmp: r.icmp,
      notIcmp: r.notICMP,
      omit4: omitFor("v4") || protocol === 58,
      omit6: omitFor("v6") || protocol === 1,
      source,
      destination,
      destinationDomainsFromSets: direction === "egress" && r.action === "Allow",
    };
  }
}

function tierCompare(a: CompiledTier, b: CompiledTier): number {
  if (a.defined !== b.defined) return a.defined ? -1 : 1;
  if (a.order !== b.order) {
    if (a.order === undefined) return 1;
    if (b.order === undefined) return -1;
    return a.order - b.order;
  }
  return compareBytes(a.name, b.name);
}

function policyCompare(a: CompiledPolicy, b: CompiledPolicy): number {
  const ao = a.order ?? Infinity;
  const bo = b.order ?? Infinity;
  if (ao !== bo) return ao < bo ? -1 : 1;
  return compareBytes(a.sortKey, b.sortKey);
}

function namedPortsOf(pod: PodInput): NamedPort[] {
  const out: NamedPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name) out.push({ name: p.name, port: p.containerPort, protocol: protocolNumber(p.protocol ?? "TCP") });
    }
  }
  return out;
}

function podIps(pod: PodInput): ParsedIp[] {
  const texts = new Set<string>();
  for (const p of pod.status?.podIPs ?? []) texts.add(p.ip);
  if (pod.status?.podIP) texts.add(pod.status.podIP);
  const out: ParsedIp[] = [];
  for (const t of texts) {
    try {
      const ip = parseIp(t);
      if (!out.some((o) => o.text === ip.text)) out.push(ip);
    } catch {
      // ignore unparseable pod IPs
    }
  }
  return out;
}

function stagedKey(p: TAnyPolicy): string {
  const namespaced = p.kind === "NetworkPolicy" || p.kind === "StagedNetworkPolicy";
  return `${namespaced ? "np" : "gnp"}|${p.spec.tier}|${namespaced ? p.metadata.namespace : ""}|${p.metadata.name}`;
}

function buildSet(id: number, tiers: readonly CompiledTier[], policies: readonly CompiledPolicy[]): PolicySet {
  const byTier = new Map<string, CompiledPolicy[]>();
  for (const p of policies) {
    let list = byTier.get(p.tier);
    if (!list) byTier.set(p.tier, (list = []));
    list.push(p);
  }
  return {
    id,
    tiers: tiers
      .map((tier) => ({ tier, policies: (byTier.get(tier.name) ?? []).sort(policyCompare) }))
      .filter((t) => t.policies.length > 0),
  };
}

/** Precompiles a snapshot for many evaluateFlow calls. */
export function compileSnapshot(snapshot: Snapshot): CompiledSnapshot {
  const warnings: string[] = [];
  const namespaces = new Map<string, NamespaceLike>();
  for (const ns of snapshot.namespaces ?? []) {
    namespaces.set(ns.metadata.name, {
      metadata: { ...ns.metadata, labels: { [K8S_NAMESPACE_NAME_LABEL]: ns.metadata.name, ...(ns.metadata.labels ?? {}) } },
    });
  }
  const nsFor = (name: string): NamespaceLike =>
    namespaces.get(name) ?? { metadata: { name, labels: { [K8S_NAMESPACE_NAME_LABEL]: name } } };
  const serviceAccounts = new Map<string, ServiceAccountLike>();
  for (const sa of snapshot.serviceAccounts ?? []) serviceAccounts.set(`${sa.metadata.namespace ?? "default"}/${sa.metadata.name}`, sa);

  // Endpoints
  const endpoints: CompiledEndpoint[] = [];
  const endpointsByKey = new Map<string, CompiledEndpoint>();
  const endpointsByIp = new Map<string, CompiledEndpoint>();
  for (const pod of snapshot.pods ?? []) {
    const namespace = pod.metadata.namespace ?? "default";
    const key = `${namespace}/${pod.metadata.name}`;
    if (endpointsByKey.has(key)) {
      warnings.push(`duplicate pod ${key}: the later one is ignored`);
      continue;
    }
    const saName = pod.spec?.serviceAccountName || "default";
    const podWithSa = { ...pod, metadata: { ...pod.metadata, namespace }, spec: { ...pod.spec, serviceAccountName: saName } };
    const ep: CompiledEndpoint = {
      id: endpoints.length,
      key,
      namespace,
      name: pod.metadata.name,
      labels: endpointLabelsForPod(podWithSa, nsFor(namespace), serviceAccounts.get(`${namespace}/${saName}`)),
      ips: podIps(pod),
      namedPorts: namedPortsOf(pod),
      applicable: [],
    };
    endpoints.push(ep);
    endpointsByKey.set(key, ep);
    for (const ip of ep.ips) {
      const other = endpointsByIp.get(ip.text);
      if (other) warnings.push(`pods ${other.key} and ${key} share IP ${ip.text}; ${other.key} wins`);
      else endpointsByIp.set(ip.text, ep);
    }
  }

  // Network sets
  const networkSets: CompiledNetworkSet[] = [];
  for (const r of snapshot.resources) {
    if (!isNetworkSet(r)) continue;
    const set = r as TAnyNetworkSet;
    const cidrs: Cidr[] = [];
    for (const n of set.spec.nets ?? []) {
      try {
        cidrs.push(parseCidr(n, { strict: false }));
      } catch {
        warnings.push(`${set.kind} ${set.metadata.name}: ignoring invalid net ${JSON.stringify(n)}`);
      }
    }
    const namespace = set.kind === "NetworkSet" ? set.metadata.namespace : undefined;
    networkSets.push({
      index: networkSets.length,
      kind: set.kind,
      name: set.metadata.name,
      ...(namespace !== undefined ? { namespace } : {}),
      display: namespace !== undefined ? `NetworkSet ${namespace}/${set.metadata.name}` : `GlobalNetworkSet ${set.metadata.name}`,
      labels: endpointLabelsForNetworkSet(set, namespace !== undefined ? nsFor(namespace) : null),
      cidrs,
      set: buildCidrSet(cidrs),
      domains: (set.spec.allowedEgressDomains ?? []).map((d) => parseDomainPattern(d)),
    });
  }

  // Tiers
  const tierMap = new Map<string, CompiledTier>();
  for (const r of snapshot.resources) {
    if (r.kind !== "Tier") continue;
    const builtin = BUILTIN_TIERS[r.metadata.name as keyof typeof BUILTIN_TIERS];
    tierMap.set(r.metadata.name, {
      name: r.metadata.name,
      order: r.spec.order ?? builtin?.order,
      defaultAction: r.spec.defaultAction ?? builtin?.defaultAction ?? "Deny",
      defined: true,
    });
  }
  for (const [name, b] of Object.entries(BUILTIN_TIERS)) {
    if (!tierMap.has(name)) tierMap.set(name, { name, order: b.order, defaultAction: b.defaultAction, defined: true });
  }

  // Policies
  const compiler = new Compiler(networkSets, endpoints.length);
  const policies: CompiledPolicy[] = [];
  for (const r of snapshot.resources as readonly TResource[]) {
    if (!isPolicy(r)) continue;
    const p = r as TAnyPolicy;
    const tier = p.spec.tier ?? "default";
    if (!tierMap.has(tier)) {
      warnings.push(`${policyDisplay(p)} uses tier "${tier}", which is not defined; it sorts last`);
      tierMap.set(tier, { name: tier, order: undefined, defaultAction: "Deny", defined: false });
    }
    const staged = p.kind === "StagedNetworkPolicy" || p.kind === "StagedGlobalNetworkPolicy";
    const stagedAction = staged ? ((p.spec as { stagedAction?: "Set" | "Delete" | "Learn" | "Ignore" }).stagedAction ?? "Set") : undefined;
    const typesList: readonly TPolicyType[] = p.spec.types && p.spec.types.length ? p.spec.types : stagedAction === "Delete" ? [] : defaultPolicyTypes(p.spec);
    // Felix treats a policy whose types are still empty as both directions; only Delete placeholders get here.
    const types = new Set<Direction>(typesList.map((t) => (t === "Ingress" ? "ingress" : "egress")));
    const namespace = p.kind === "NetworkPolicy" || p.kind === "StagedNetworkPolicy" ? p.metadata.namespace : undefined;
    const ref: PolicyRef = { kind: p.kind, name: p.metadata.name, ...(namespace !== undefined ? { namespace } : {}), tier };
    policies.push({
      index: policies.length,
      ref,
      display: policyDisplay(p),
      staged,
      stagedAction,
      tier,
      order: p.spec.order,
      sortKey: `${p.metadata.name}/${namespace ?? ""}/${p.kind}`,
      selector: policySelectorFor(p),
      types,
      ingress: (p.spec.ingress ?? []).map((rule, i) => compiler.rule(p, rule, i, "ingress")),
      egress: (p.spec.egress ?? []).map((rule, i) => compiler.rule(p, rule, i, "egress")),
      selectMemo: new Uint8Array(endpoints.length),
    });
  }
  const tiers = [...tierMap.values()].sort(tierCompare);

  const enforcedPolicies = policies.filter((p) => !p.staged);
  const stagedPolicies = policies.filter((p) => p.staged);
  let simulated: PolicySet | null = null;
  const stagedParticipants: CompiledPolicy[] = [];
  if (stagedPolicies.length > 0) {
    const byKey = new Map<string, CompiledPolicy>();
    const resourceOf = new Map<CompiledPolicy, TAnyPolicy>();
    const policyResources = (snapshot.resources as readonly TResource[]).filter(isPolicy) as TAnyPolicy[];
    policies.forEach((p, i) => resourceOf.set(p, policyResources[i]!));
    for (const p of enforcedPolicies) byKey.set(stagedKey(resourceOf.get(p)!), p);
    for (const s of stagedPolicies) {
      const key = stagedKey(resourceOf.get(s)!);
      if (s.stagedAction === "Set") {
        const replaced = byKey.get(key);
        if (replaced) stagedParticipants.push(replaced);
        byKey.set(key, s);
        stagedParticipants.push(s);
      } else if (s.stagedAction === "Delete") {
        const removed = byKey.get(key);
        if (removed) {
          byKey.delete(key);
          stagedParticipants.push(removed);
        }
      }
    }
    simulated = buildSet(1, tiers, [...byKey.values()]);
  }

  return {
    kind: "compiled-snapshot",
    endpoints,
    endpointsByKey,
    endpointsByIp,
    networkSets,
    tiers,
    policies,
    enforced: buildSet(0, tiers, enforcedPolicies),
    simulated,
    stagedParticipants,
    warnings,
  };
}

/** Whether `policy` selects the endpoint (memoised). */
export function policySelects(policy: CompiledPolicy, ep: CompiledEndpoint): boolean {
  const m = policy.selectMemo[ep.id];
  if (m === YES) return true;
  if (m === NO) return false;
  const r = policy.selector.matches(ep.labels);
  policy.selectMemo[ep.id] = r ? YES : NO;
  return r;
}
