/**
 * The nft compiler (pure: no I/O). Two stages, so that the applier can diff:
 *
 * - `compileStructure(resources, config)`: chains, rules and set declarations. Depends on the
 *   bundle's policies (and the config) only, never on pods or DNS answers.
 * - `computeElements(structure, cluster)`: the contents of every set and verdict map, from the
 *   pods and namespaces of the cluster, this node's name, the network sets and learned DNS
 *   answers. Pod churn and DNS answers change these only.
 *
 * Evaluation order follows reference §3.2, with the ordering of tiers and policies, types
 * defaulting and effective selectors taken from `server/policy` (`compileSnapshot`, §1.6):
 *
 *   forward: ct established,related accept; ct invalid drop; DNS redirected to the proxy
 *            accept; failsafes accept; exclusive-domain denies;
 *            ip saddr vmap @dispatch_eg_v4 (local pod sources → jump egress);
 *            ip daddr vmap @dispatch_in_v4 (local pod destinations → jump ingress)
 *   egress/ingress: clear marks; for each tier: jump tier; Allow mark → return; clear Pass mark
 *   tier:  jump each staged policy chain (count only); for each enforced policy: jump policy,
 *          return when Allow or Pass was marked; end-of-tier drop for endpoints in @te_...
 *   policy: return unless the endpoint is selected; rules in order (Allow/Pass set a mark and
 *           return, Deny drops, Log logs and continues); every rule has a counter.
 *   dns_redirect (nat prerouting, before kube-proxy's DNAT): local pods' 53/udp and 53/tcp to
 *           the cluster resolvers → the agent's DNS proxy (when `CompilerConfig.dns` is set).
 *
 * ## DNS policy (issue #7, reference §4–§5)
 *
 * Learned addresses live in nft sets with `flags timeout`: the kernel expires every element at
 * the learned cache's expiry (TTL floor + grace) even when the agent is busy or gone, and the
 * agent refreshes an element (re-add with the new timeout) when a later answer extends it.
 *
 * - A rule with `destination.domains` (egress Allow only) gets its own domain-set id
 *   (`rule:<policy> egress <index>`) and timeout sets `d4_…`/`d6_…`; the rule matches
 *   `ip daddr @d4_…`. Only answers to the pods the policy selects feed it (`clientIps`), so in
 *   a namespaced NetworkPolicy the domains are granted only to that policy's endpoints.
 * - A network set with `allowedEgressDomains` gets the id `<Kind> [ns/]name` and its own
 *   timeout sets. An egress Allow rule whose destination selector matches it gets a second
 *   alternative `ip daddr @pd4_…` (timeout set: the union of the learned addresses of the
 *   matched network sets) ORed with the set's nets. Its `clientIps` are the pods selected by
 *   the policies with such a rule.
 * - Exclusive domains: the annotation `portcullis.dev/exclusive-domains: "true"` on a policy
 *   (every domain rule of it), on a single rule (`metadata.annotations`) or on a network set
 *   makes the learned addresses of that domain set denied, early in the forward hook, for
 *   every local pod that is not one of its clients (the pods the policy selects) — including
 *   pods no policy selects. Staged policies are never exclusive.
 *
 *   Caveat for operators (the promise is per address, not per name): exclusivity is enforced
 *   on the addresses the allowed pods' answers returned. Any other name that resolves to one
 *   of those addresses — typical for CDNs, shared load balancers and SaaS front doors — is
 *   blocked for every other pod as well while the address is learned, and a pod that reaches
 *   the service by an address nobody allowed resolved recently is not blocked. Conversely
 *   the allow side inherits the same sharing: a pod allowed `api.example.com` may reach any
 *   other site served from the same address (reference §5, "any domain that shares an IP").
 */
import {
  compileSnapshot,
  endpointLabelsForNetworkSet,
  endpointLabelsForPod,
  isPolicy,
  K8S_NAMESPACE_NAME_LABEL,
  parseCidr,
  parseIp,
  parsePortItem,
  parseResource,
  protocolNumber,
  type Cidr,
  type CompiledSnapshot,
  type Labels,
  type NamespaceLike,
  type Selector,
  type TAnyNetworkSet,
  type TAnyPolicy,
  type TEntityRule,
  type TResource,
  type TRule,
} from "../../server/policy/index";
import { nftName, nftString, shortHash } from "./names";
import { mergeV4, mergeV6, portElements, renderV4, renderV6, v4Text, v6Text } from "./ranges";

export const TABLE = "portcullis";
export const TABLE_REF = `inet ${TABLE}`;
/** Packet mark bits used between chains (cleared before and after use). */
export const MARK_ALLOW = 0x00100000;
export const MARK_PASS = 0x00200000;
const MARK_BOTH = MARK_ALLOW | MARK_PASS;
const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;
const CLEAR = `meta mark set meta mark & ${hex(~MARK_BOTH >>> 0)}`;
const CLEAR_PASS = `meta mark set meta mark & ${hex(~MARK_PASS >>> 0)}`;

export interface FailsafeRule {
  protocol: "tcp" | "udp";
  port: number;
  /** Destination CIDR; any destination when unset. */
  cidr?: string | undefined;
}

/** Pod-originated traffic that policy never blocks: DNS (Calico's outbound failsafes 53/udp and 53/tcp). */
export const DEFAULT_FAILSAFES: readonly FailsafeRule[] = [
  { protocol: "udp", port: 53 },
  { protocol: "tcp", port: 53 },
];

/** Annotation (value "true") making a policy's, a rule's or a network set's domains exclusive. */
export const EXCLUSIVE_DOMAINS_ANNOTATION = "portcullis.dev/exclusive-domains";

export interface DnsRedirectConfig {
  /** Cluster resolver addresses: local pods' 53/udp and 53/tcp to them go to the proxy. */
  resolvers: readonly string[];
  /**
   * Where the agent's DNS proxy listens. A specific address: `dnat` to it; the unspecified
   * address (`0.0.0.0` / `::`): `redirect` to the port on the address of the incoming interface.
   */
  proxy: { host: string; port: number };
}

export interface CompilerConfig {
  failsafes: readonly FailsafeRule[];
  /** DNS redirect to the agent's proxy; no redirect when unset. */
  dns?: DnsRedirectConfig | undefined;
}

export interface AgentPod {
  metadata: { name: string; namespace?: string | undefined; labels?: Readonly<Record<string, string>> | undefined };
  spec?:
    | {
        nodeName?: string | undefined;
        hostNetwork?: boolean | undefined;
        serviceAccountName?: string | undefined;
        containers?: readonly { ports?: readonly { name?: string | undefined; containerPort: number; protocol?: string | undefined }[] | undefined }[] | undefined;
      }
    | undefined;
  status?: { phase?: string | undefined; podIP?: string | undefined; podIPs?: readonly { ip: string }[] | undefined } | undefined;
}

export interface ClusterState {
  pods: readonly AgentPod[];
  namespaces: readonly NamespaceLike[];
  nodeName: string;
  /** Learned DNS answers: domain-set id (see `Structure.domainSets`) → IP addresses. */
  dns: ReadonlyMap<string, readonly string[]>;
  /**
   * When each learned address expires (epoch ms): domain-set id → IP → expiry. It becomes the
   * element's nft timeout. Addresses without an expiry never time out in the kernel.
   */
  dnsExpiry?: ReadonlyMap<string, ReadonlyMap<string, number>> | undefined;
  /** Whether the DNS redirect is in force (the supervisor's fail mode); default true. */
  dnsRedirect?: boolean | undefined;
}

/** A domain set as the learned cache needs it (`LearnedCache.setDomainSets`). */
export interface DomainSetSpec {
  id: string;
  patterns: string[];
  /** The local pods whose answers feed the set. */
  clientIps: string[];
}

/** Expiries (epoch ms) of the elements of timeout sets: set name → element → expiry. */
export type Expiries = ReadonlyMap<string, ReadonlyMap<string, number>>;

export interface ComputedElements {
  elements: Elements;
  expiries: Expiries;
  domainSets: DomainSetSpec[];
}

type Family = 4 | 6;
type Dir = "ingress" | "egress";

/** What a set's elements are computed from. */
export type SetSource =
  | { kind: "dispatch"; dir: Dir; family: Family }
  | { kind: "local-selected"; selector: Selector; family: Family }
  | { kind: "tier-enforced"; selectors: readonly Selector[]; family: Family }
  /**
   * Peers a rule selector matches: `hosts` (pod addresses and single-address CIDRs of matched
   * network sets, a hash set) and `ranges` (their wider CIDRs, an interval set). Keeping hosts out
   * of interval sets keeps pod churn cheap: nftables re-reads every interval set's elements on
   * each element update, and a threat feed is mostly single addresses.
   */
  | { kind: "peer"; selector: Selector; domains: boolean; family: Family; part: "hosts" | "ranges" }
  | { kind: "named-port"; selector: Selector | null; port: string; protocol: number | undefined; family: Family }
  | { kind: "domains"; id: string; family: Family }
  | { kind: "peer-domains"; selector: Selector; family: Family }
  | { kind: "domain-clients"; id: string; family: Family }
  | { kind: "local-pods"; family: Family }
  | { kind: "dns-resolvers"; family: Family }
  /** Fixed elements from the policy itself (a rule's port list or nets): one named set per distinct list. */
  | { kind: "constant"; elements: readonly string[]; family: Family | null };

export interface SetDecl {
  name: string;
  /** nft type line, e.g. `type ipv4_addr; flags interval` or `type ipv4_addr : verdict`. */
  spec: string;
  map: boolean;
  /** `flags timeout`: elements carry a timeout and the kernel expires them (learned DNS answers). */
  timeout: boolean;
  comment: string;
  source: SetSource;
}

/** How a domain set's clients are found (see the module comment). */
export interface DomainSetMeta {
  kind: "rule" | "netset";
  patterns: readonly string[];
  exclusive: boolean;
  /** For rule sets: the selectors of the policies whose rules use it. */
  policySelectors: readonly Selector[];
}

export interface Structure {
  /** SHA-256 (hex) over the rendered structure. */
  hash: string;
  sets: readonly SetDecl[];
  /** Chain definitions in output order: name and body lines (without set elements). */
  chains: readonly { name: string; comment: string; lines: readonly string[] }[];
  /** Domain-set ids the DNS side should learn answers for (netsets with domains, rule domains). */
  domainSets: ReadonlyMap<string, readonly string[]>;
  /** Per domain-set id: its kind, exclusivity and clients. */
  domainSetMeta: ReadonlyMap<string, DomainSetMeta>;
  /** Cluster resolvers whose DNS traffic is redirected to the proxy (`CompilerConfig.dns`). */
  dnsResolvers: readonly string[];
  /** Peer selectors whose network sets' domains count, with the selectors of the policies using them. */
  peerDomainPolicies: ReadonlyMap<string, { selector: Selector; policySelectors: readonly Selector[] }>;
  /** Policy chains: chain name → "<Kind> [ns/]name <direction>" (for counters and status). */
  policyChains: ReadonlyMap<string, string>;
  warnings: readonly string[];
  /** Internal: the compiled snapshot and network sets this structure was built from. */
  readonly snapshot: CompiledSnapshot;
  readonly netsets: readonly NetsetInfo[];
}

interface NetsetInfo {
  kind: "NetworkSet" | "GlobalNetworkSet";
  name: string;
  namespace: string | undefined;
  labels: Readonly<Record<string, string>>;
  cidrs: readonly Cidr[];
  domainSetId: string | undefined;
}

function isExclusive(annotations: Readonly<Record<string, string>> | undefined): boolean {
  return annotations?.[EXCLUSIVE_DOMAINS_ANNOTATION]?.trim().toLowerCase() === "true";
}

/** Set name → element texts (sorted); vmap elements are `key : verdict`. */
export type Elements = ReadonlyMap<string, readonly string[]>;

// ---------------------------------------------------------------------------
// Structure

function dirShort(d: Dir): "eg" | "in" {
  return d === "egress" ? "eg" : "in";
}

class StructureBuilder {
  readonly sets = new Map<string, SetDecl>();
  readonly setKeys = new Map<string, string>();
  readonly domainSets = new Map<string, readonly string[]>();
  readonly domainSetMeta = new Map<string, { kind: "rule" | "netset"; patterns: readonly string[]; exclusive: boolean; policySelectors: Selector[] }>();
  readonly peerDomainPolicies = new Map<string, { selector: Selector; policySelectors: Selector[] }>();
  readonly usedNames = new Map<string, string>();

  name(prefix: string, key: string, readable?: string): string {
    const n = nftName(prefix, key, readable);
    const prev = this.usedNames.get(n);
    if (prev !== undefined && prev !== key) throw new Error(`nft name collision: ${n} for ${prev} and ${key}`);
    this.usedNames.set(n, key);
    return n;
  }

  set(prefix: string, key: string, spec: string, comment: string, source: SetSource, map = false): string {
    const full = `${prefix}|${key}`;
    const existing = this.setKeys.get(full);
    if (existing) return existing;
    const name = this.name(prefix, full);
    this.setKeys.set(full, name);
    this.sets.set(name, { name, spec, map, timeout: /flags timeout/.test(spec), comment: nftString(comment, 120), source });
    return name;
  }

  /**
   * A named set of fixed elements, shared by every rule with the same list. The kernel builds an
   * anonymous set per rule otherwise, which makes loading thousands of policies several times slower.
   */
  constant(prefix: string, spec: string, elements: readonly string[], comment: string, family: Family | null): string {
    return this.set(prefix, elements.join(","), spec, comment, { kind: "constant", elements, family });
  }

  addrType(f: Family): string {
    return f === 4 ? "ipv4_addr" : "ipv6_addr";
  }

  localSelected(sel: Selector, f: Family): string {
    return this.set(`l${f}`, sel.uid(), `type ${this.addrType(f)}`, `local endpoints: ${sel.toString()}`, { kind: "local-selected", selector: sel, family: f });
  }

  peer(sel: Selector, domains: boolean, f: Family, part: "hosts" | "ranges"): string {
    const ranges = part === "ranges";
    return this.set(
      ranges ? `r${f}` : `e${f}`,
      `${sel.uid()}|${domains ? "dns" : ""}`,
      `type ${this.addrType(f)}${ranges ? "; flags interval" : ""}`,
      `${domains ? "egress allow " : ""}peers${ranges ? " (ranges)" : ""}: ${sel.toString()}`,
      { kind: "peer", selector: sel, domains, family: f, part },
    );
  }

  /** Network sets with CIDRs wider than one address, per family (namespaced ones: no labels, they may match). */
  rangeNetsets: Record<Family, Array<{ labels: Labels | null }>> = { 4: [], 6: [] };

  /** Whether `sel` may match a network set holding ranges of family `f` (conservative for namespaced sets). */
  needsRanges(sel: Selector, f: Family): boolean {
    return this.rangeNetsets[f].some((n) => n.labels === null || sel.matches(n.labels));
  }

  namedPort(sel: Selector | null, port: string, protocol: number | undefined, f: Family): string {
    return this.set(
      `n${f}`,
      `${sel?.uid() ?? "any"}|${port}|${protocol ?? ""}`,
      `type ${this.addrType(f)} . inet_proto . inet_service`,
      `named port ${port}${protocol !== undefined ? `/${protocol}` : ""} of ${sel?.toString() ?? "any endpoint"}`,
      { kind: "named-port", selector: sel, port, protocol, family: f },
    );
  }

  /** The timeout set of learned addresses of one domain set. */
  domainSet(id: string, f: Family): string {
    const patterns = this.domainSets.get(id) ?? [];
    return this.set(`d${f}`, id, `type ${this.addrType(f)}; flags timeout`, `learned ${id}: ${patterns.join(",")}`, { kind: "domains", id, family: f });
  }

  /** A rule's own domain set (fed by the answers of the pods `policySelector` selects). */
  ruleDomains(id: string, patterns: readonly string[], policySelector: Selector, exclusive: boolean, f: Family): string {
    const sorted = [...new Set(patterns)].sort();
    this.domainSets.set(id, sorted);
    const meta = this.domainSetMeta.get(id);
    if (!meta) this.domainSetMeta.set(id, { kind: "rule", patterns: sorted, exclusive, policySelectors: [policySelector] });
    else if (!meta.policySelectors.some((s) => s.uid() === policySelector.uid())) meta.policySelectors.push(policySelector);
    return this.domainSet(id, f);
  }

  /** Union of the learned addresses of the network sets `sel` matches (egress Allow rules). */
  peerDomains(sel: Selector, policySelector: Selector, f: Family): string {
    let ref = this.peerDomainPolicies.get(sel.uid());
    if (!ref) this.peerDomainPolicies.set(sel.uid(), (ref = { selector: sel, policySelectors: [] }));
    if (!ref.policySelectors.some((s) => s.uid() === policySelector.uid())) ref.policySelectors.push(policySelector);
    return this.set(`pd${f}`, sel.uid(), `type ${this.addrType(f)}; flags timeout`, `learned domains of network sets: ${sel.toString()}`, { kind: "peer-domains", selector: sel, family: f });
  }
}

interface RuleCtx {
  b: StructureBuilder;
  policy: TAnyPolicy;
  dir: Dir;
  f: Family;
  /** The policy's endpoint selector and display name, its staged flag and the rule's index. */
  policySelector: Selector;
  display: string;
  staged: boolean;
  index: number;
}

function familyNets(list: readonly string[] | undefined, f: Family): string[] | null {
  if (!list || list.length === 0) return null;
  const cidrs: Cidr[] = [];
  for (const t of list) {
    try {
      const c = parseCidr(t, { strict: false });
      if (c.family === f) cidrs.push(c);
    } catch {
      // unparseable CIDRs are dropped, as in the backend conversion (§2.5)
    }
  }
  if (f === 4) {
    return renderV4(mergeV4(cidrs.map((c) => [Number(c.start), Number(c.end)])));
  }
  return renderV6(mergeV6(cidrs.map((c) => [c.start, c.end])));
}

/** One element inline; several as a shared named set of constants. */
function listMatch(b: StructureBuilder, prefix: string, type: string, items: readonly string[], what: string, family: Family | null): string {
  if (items.length === 1) return items[0]!;
  return `@${b.constant(prefix, `type ${type}; flags interval`, items, `${what}: ${items.join(", ")}`, family)}`;
}

/** Alternatives (ORed) per component; the rule is rendered once per combination. */
function entityParts(ctx: RuleCtx, side: "source" | "destination", e: TEntityRule | undefined, sel: { selector: Selector | null; notSelector: Selector | null }, protocol: number | undefined, allowDomainsFromSets: boolean): string[][] | null {
  const { b, f } = ctx;
  const addr = `${f === 4 ? "ip" : "ip6"} ${side === "source" ? "saddr" : "daddr"}`;
  const port = `th ${side === "source" ? "sport" : "dport"}`;
  const parts: string[][] = [];
  if (!e) return parts;
  if (e.services) return null; // Service matches are not modelled: the rule never matches
  const nets = familyNets(e.nets, f);
  if (nets) {
    if (nets.length === 0) return null;
    parts.push([`${addr} ${listMatch(b, `c${f}`, b.addrType(f), nets, "networks", f)}`]);
  }
  const notNets = familyNets(e.notNets, f);
  if (notNets) {
    if (notNets.length === 0 && e.notNets && e.notNets.length > 0) return null;
    if (notNets.length) parts.push([`${addr} != ${listMatch(b, `c${f}`, b.addrType(f), notNets, "networks", f)}`]);
  }
  if (sel.selector) {
    const alts = [`${addr} @${b.peer(sel.selector, false, f, "hosts")}`];
    if (b.needsRanges(sel.selector, f)) alts.push(`${addr} @${b.peer(sel.selector, false, f, "ranges")}`);
    // Egress Allow: the matched network sets' learned domain addresses, ORed with their nets.
    if (allowDomainsFromSets) alts.push(`${addr} @${b.peerDomains(sel.selector, ctx.policySelector, f)}`);
    parts.push(alts);
  }
  if (sel.notSelector) {
    parts.push([`${addr} != @${b.peer(sel.notSelector, false, f, "hosts")}`]);
    if (b.needsRanges(sel.notSelector, f)) parts.push([`${addr} != @${b.peer(sel.notSelector, false, f, "ranges")}`]);
  }
  if (e.domains && e.domains.length > 0) {
    // Only in the destination of egress Allow rules (reference §5); elsewhere the rule never matches.
    if (side !== "destination" || ctx.dir !== "egress" || !allowDomainsFromSets) return null;
    const rule = ctx.dir === "egress" ? ctx.policy.spec.egress?.[ctx.index] : undefined;
    const exclusive = !ctx.staged && (isExclusive(ctx.policy.metadata.annotations) || isExclusive(rule?.metadata?.annotations));
    const id = `rule:${ctx.display} egress ${ctx.index}`;
    parts.push([`${addr} @${b.ruleDomains(id, e.domains, ctx.policySelector, exclusive, f)}`]);
  }
  const portAlts = (items: readonly (string | number)[], negate: boolean): string[] => {
    const ranges: { min: number; max: number }[] = [];
    const named: string[] = [];
    for (const item of items) {
      try {
        const p = parsePortItem(item);
        if (p.kind === "range") ranges.push({ min: p.min, max: p.max });
        else named.push(p.name);
      } catch {
        // invalid port items never match
      }
    }
    const out: string[] = [];
    if (ranges.length) out.push(`${port} ${negate ? "!= " : ""}${listMatch(b, "cp", "inet_service", portElements(ranges), "ports", null)}`);
    for (const n of [...new Set(named)].sort()) {
      out.push(`${addr} . meta l4proto . ${port} ${negate ? "!= " : ""}@${b.namedPort(sel.selector, n, protocol, f)}`);
    }
    return out;
  };
  if (e.ports && e.ports.length > 0) {
    const alts = portAlts(e.ports, false);
    if (alts.length === 0) return null;
    parts.push(alts);
  }
  if (e.notPorts && e.notPorts.length > 0) {
    const negs = portAlts(e.notPorts, true);
    if (negs.length) parts.push([negs.join(" ")]);
  }
  return parts;
}

function combos(parts: readonly (readonly string[])[]): string[] {
  let acc = [""];
  for (const alts of parts) {
    const next: string[] = [];
    for (const a of acc) for (const alt of alts) next.push(a ? `${a} ${alt}` : alt);
    acc = next;
  }
  return acc;
}

function ruleLines(ctx: RuleCtx, rule: TRule, cr: CompiledSnapshot["policies"][number]["egress"][number], staged: boolean, label: string): string[] {
  const { f } = ctx;
  if (rule.ipVersion !== undefined && rule.ipVersion !== f) return [];
  if ((f === 4 && cr.omit4) || (f === 6 && cr.omit6)) return [];
  const parts: string[][] = [[`meta nfproto ${f === 4 ? "ipv4" : "ipv6"}`]];
  const protocol = cr.protocol;
  if (protocol !== undefined) parts.push([`meta l4proto ${protocol}`]);
  if (cr.notProtocol !== undefined) parts.push([`meta l4proto != ${cr.notProtocol}`]);
  const icmpKw = f === 4 ? "icmp" : "icmpv6";
  if (cr.icmp?.type !== undefined) {
    parts.push([`${icmpKw} type ${cr.icmp.type}${cr.icmp.code !== undefined ? ` ${icmpKw} code ${cr.icmp.code}` : ""}`]);
  }
  if (cr.notIcmp?.type !== undefined) {
    const t = cr.notIcmp.type;
    // NOT(type == t AND code == c) as two disjoint alternatives; the ICMP protocol is implied by the validator.
    parts.push(cr.notIcmp.code !== undefined ? [`${icmpKw} type != ${t}`, `${icmpKw} type ${t} ${icmpKw} code != ${cr.notIcmp.code}`] : [`${icmpKw} type != ${t}`]);
  }
  const srcSel = { selector: cr.source.selector?.selector ?? null, notSelector: cr.source.notSelector?.selector ?? null };
  const dstSel = { selector: cr.destination.selector?.selector ?? null, notSelector: cr.destination.notSelector?.selector ?? null };
  const src = entityParts(ctx, "source", rule.source, srcSel, protocol, false);
  const dst = entityParts(ctx, "destination", rule.destination, dstSel, protocol, cr.destinationDomainsFromSets);
  if (!src || !dst) return [];
  parts.push(...src, ...dst);
  const comment = ` comment "${nftString(label, 120)}"`;
  let action: string;
  if (staged) action = rule.action === "Log" ? "counter" : "counter return";
  else if (rule.action === "Allow") action = `counter meta mark set meta mark | ${hex(MARK_ALLOW)} return`;
  else if (rule.action === "Pass") action = `counter meta mark set meta mark | ${hex(MARK_PASS)} return`;
  else if (rule.action === "Deny") action = "counter drop";
  else action = `counter log prefix "${nftString(`pc ${label}`, 60)}: "`;
  return combos(parts).map((m) => `${m} ${action}${comment}`);
}

function policyLabel(p: TAnyPolicy): string {
  const ns = p.kind === "NetworkPolicy" || p.kind === "StagedNetworkPolicy" ? `${p.metadata.namespace}/` : "";
  return `${p.kind} ${ns}${p.metadata.name}`;
}

export interface ParsedBundle {
  resources: TResource[];
  warnings: string[];
}

/** Validates bundle payload resources with `parseResource`; invalid documents are skipped with a warning. */
export function parseBundleResources(resources: readonly unknown[]): ParsedBundle {
  const out: TResource[] = [];
  const warnings: string[] = [];
  resources.forEach((r, i) => {
    const res = parseResource(r);
    if (res.ok) out.push(res.value);
    else warnings.push(`bundle resource #${i} is invalid and ignored: ${res.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`);
  });
  return { resources: out, warnings };
}

export function compileStructure(resources: readonly TResource[], config: CompilerConfig): Structure {
  const snapshot = compileSnapshot({ resources });
  const policyResources = resources.filter(isPolicy) as TAnyPolicy[];
  const resourceOf = new Map(snapshot.policies.map((p, i) => [p, policyResources[i]!] as const));
  const b = new StructureBuilder();
  const chains: { name: string; comment: string; lines: string[] }[] = [];
  const policyChains = new Map<string, string>();

  // Network sets (kept for element computation; their domain ids for the DNS side).
  const netsets: NetsetInfo[] = snapshot.networkSets.map((n) => {
    const res = resources.find((r) => (r.kind === "NetworkSet" || r.kind === "GlobalNetworkSet") && r.kind === n.kind && r.metadata.name === n.name && (r.kind === "GlobalNetworkSet" || r.metadata.namespace === n.namespace)) as TAnyNetworkSet | undefined;
    const domains = [...new Set(res?.spec.allowedEgressDomains ?? [])].sort();
    const domainSetId = domains.length ? n.display : undefined;
    if (domainSetId) {
      b.domainSets.set(domainSetId, domains);
      b.domainSetMeta.set(domainSetId, { kind: "netset", patterns: domains, exclusive: isExclusive(res?.metadata.annotations), policySelectors: [] });
      for (const f of [4, 6] as const) b.domainSet(domainSetId, f);
    }
    return { kind: n.kind, name: n.name, namespace: n.namespace, labels: res?.metadata.labels ?? {}, cidrs: n.cidrs, domainSetId };
  });
  for (const n of netsets) {
    for (const f of [4, 6] as const) {
      if (!n.cidrs.some((c) => c.family === f && c.start !== c.end)) continue;
      // A global set's labels are known now; a namespaced set's depend on its namespace's labels.
      b.rangeNetsets[f].push({ labels: n.namespace === undefined ? endpointLabelsForNetworkSet({ kind: n.kind, metadata: { name: n.name, labels: n.labels } }, null) : null });
    }
  }

  const dirChains: Record<Dir, string[]> = { egress: [], ingress: [] };
  for (const dir of ["egress", "ingress"] as const) {
    const d = dirShort(dir);
    const addrKw = dir === "egress" ? "saddr" : "daddr";
    for (const tier of snapshot.tiers) {
      const enforced = snapshot.enforced.tiers.find((t) => t.tier.name === tier.name)?.policies.filter((p) => p.types.has(dir)) ?? [];
      const staged = snapshot.policies.filter((p) => p.staged && p.stagedAction === "Set" && p.tier === tier.name && p.types.has(dir));
      const stagedOrdered = snapshot.simulated
        ? (snapshot.simulated.tiers.find((t) => t.tier.name === tier.name)?.policies.filter((p) => staged.includes(p)) ?? [])
        : staged;
      if (enforced.length === 0 && stagedOrdered.length === 0) continue;
      const tierChain = b.name(`t${d}`, `tier|${tier.name}|${dir}`, tier.name);
      const lines: string[] = [];
      const policyChain = (p: (typeof enforced)[number], staged: boolean): string => {
        const res = resourceOf.get(p)!;
        const label = `${policyLabel(res)} ${dir}`;
        const name = b.name(`${staged ? "s" : "p"}${d}`, `policy|${p.display}|${dir}`, p.ref.name);
        const body: string[] = [];
        for (const f of [4, 6] as const) body.push(`${f === 4 ? "ip" : "ip6"} ${addrKw} != @${b.localSelected(p.selector, f)} return`);
        const rules = dir === "egress" ? res.spec.egress ?? [] : res.spec.ingress ?? [];
        const compiled = dir === "egress" ? p.egress : p.ingress;
        rules.forEach((rule, i) => {
          for (const f of [4, 6] as const) body.push(...ruleLines({ b, policy: res, dir, f, policySelector: p.selector, display: p.display, staged, index: i }, rule, compiled[i]!, staged, `${label} ${i}`));
        });
        chains.push({ name, comment: `${staged ? "staged (counts only): " : ""}${label}`, lines: body });
        policyChains.set(name, `${staged ? "staged " : ""}${label}`);
        return name;
      };
      for (const p of stagedOrdered) lines.push(`jump ${policyChain(p, true)}`);
      for (const p of enforced) {
        lines.push(`jump ${policyChain(p, false)}`);
        lines.push(`meta mark & ${hex(MARK_BOTH)} != 0x00000000 return`);
      }
      if (enforced.length > 0 && tier.defaultAction !== "Pass") {
        const sels = enforced.map((p) => p.selector);
        for (const f of [4, 6] as const) {
          const set = b.set(`te${f}`, `${tier.name}|${dir}`, `type ${b.addrType(f)}`, `endpoints with enforced ${dir} policy in tier ${tier.name}`, { kind: "tier-enforced", selectors: sels, family: f });
          lines.push(`${f === 4 ? "ip" : "ip6"} ${addrKw} @${set} counter drop comment "${nftString(`end of tier ${tier.name} ${dir}`, 120)}"`);
        }
      }
      chains.push({ name: tierChain, comment: `tier ${tier.name} ${dir}`, lines });
      dirChains[dir].push(tierChain);
    }
  }

  const dispatch: Record<Dir, Record<Family, string>> = { egress: { 4: "", 6: "" }, ingress: { 4: "", 6: "" } };
  for (const dir of ["egress", "ingress"] as const) {
    for (const f of [4, 6] as const) {
      dispatch[dir][f] = b.set(`dispatch_${dirShort(dir)}`, `v${f}`, `type ${b.addrType(f)} : verdict`, `local pods: ${dir} dispatch`, { kind: "dispatch", dir, family: f }, true);
    }
    const lines = [CLEAR];
    for (const t of dirChains[dir]) lines.push(`jump ${t}`, `meta mark & ${hex(MARK_ALLOW)} == ${hex(MARK_ALLOW)} return`, CLEAR_PASS);
    lines.push(`counter comment "no tier decided: pod profile allows"`);
    chains.push({ name: dir, comment: `${dir} policy of local pods`, lines });
  }

  const forward: string[] = ["type filter hook forward priority filter; policy accept;", "ct state established,related counter accept", "ct state invalid counter drop"];
  const localPods = { 4: "", 6: "" } as Record<Family, string>;
  const localPodsSet = (f: Family) => (localPods[f] ||= b.set(`lp${f}`, "local", `type ${b.addrType(f)}`, "local pods", { kind: "local-pods", family: f }));
  if (config.dns) {
    // Pods' DNS to the cluster resolvers goes to the agent's proxy. The resolver set is emptied
    // (elements only) while the redirect is lifted (fail-open with the proxy down).
    const proxy = config.dns.proxy;
    const proxyIp = parseIp(proxy.host);
    const unspecified = proxyIp.value === 0n;
    const nat = ["type nat hook prerouting priority dstnat - 10; policy accept;"];
    for (const f of [4, 6] as const) {
      if (!unspecified && proxyIp.family !== f) continue;
      const kw = f === 4 ? "ip" : "ip6";
      const resolvers = b.set(`dr${f}`, "resolvers", `type ${b.addrType(f)}`, "cluster resolvers redirected to the DNS proxy", { kind: "dns-resolvers", family: f });
      const target = unspecified ? `redirect to :${proxy.port}` : `dnat ${kw} to ${f === 4 ? proxyIp.text : `[${proxyIp.text}]`}:${proxy.port}`;
      nat.push(`${kw} saddr @${localPodsSet(f)} ${kw} daddr @${resolvers} meta l4proto { tcp, udp } th dport 53 counter ${target} comment "pod DNS to the agent's proxy"`);
      // Redirected queries crossing the forward hook (a proxy behind another interface) are accepted.
      if (!unspecified) forward.push(`${kw} daddr ${proxyIp.text} meta l4proto { tcp, udp } th dport ${proxy.port} ct status dnat counter accept comment "DNS redirected to the agent's proxy"`);
    }
    chains.push({ name: "dns_redirect", comment: "pod DNS to the agent's DNS proxy", lines: nat });
  }
  const failsafes = [...config.failsafes].sort((a, b2) => a.protocol.localeCompare(b2.protocol) || a.port - b2.port || (a.cidr ?? "").localeCompare(b2.cidr ?? ""));
  for (const fs of failsafes) {
    let dst = "";
    if (fs.cidr) {
      const c = parseCidr(fs.cidr, { strict: false });
      dst = `${c.family === 4 ? "ip" : "ip6"} daddr ${c.text} `;
    }
    forward.push(`${dst}meta l4proto ${fs.protocol} th dport ${fs.port} counter accept comment "failsafe ${fs.protocol}/${fs.port}"`);
  }
  // Exclusive domains: their learned addresses are denied to every local pod that is not a client.
  for (const [id, meta] of [...b.domainSetMeta].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    if (!meta.exclusive) continue;
    for (const f of [4, 6] as const) {
      const kw = f === 4 ? "ip" : "ip6";
      const clients = b.set(`xc${f}`, id, `type ${b.addrType(f)}`, `allowed clients of exclusive ${id}`, { kind: "domain-clients", id, family: f });
      forward.push(`${kw} saddr @${localPodsSet(f)} ${kw} saddr != @${clients} ${kw} daddr @${b.domainSet(id, f)} counter drop comment "${nftString(`exclusive domains of ${id}`, 120)}"`);
    }
  }
  forward.push(`ip saddr vmap @${dispatch.egress[4]}`, `ip6 saddr vmap @${dispatch.egress[6]}`);
  forward.push(`ip daddr vmap @${dispatch.ingress[4]}`, `ip6 daddr vmap @${dispatch.ingress[6]}`);
  forward.push(CLEAR);
  chains.push({ name: "forward", comment: "portcullis pod policy", lines: forward });

  const sets = [...b.sets.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const structure: Omit<Structure, "hash"> = {
    sets,
    chains,
    domainSets: new Map([...b.domainSets].sort((x, y) => (x[0] < y[0] ? -1 : 1))),
    domainSetMeta: new Map([...b.domainSetMeta].sort((x, y) => (x[0] < y[0] ? -1 : 1))),
    peerDomainPolicies: b.peerDomainPolicies,
    dnsResolvers: [...(config.dns?.resolvers ?? [])],
    policyChains,
    warnings: [...snapshot.warnings],
    snapshot,
    netsets,
  };
  const hash = shortHash(renderStructureText(structure, new Map()), 24);
  return { ...structure, hash };
}

// ---------------------------------------------------------------------------
// Rendering

/**
 * What the kernel's timeout sets hold: set name → element → expiry (epoch ms), `undefined`
 * meaning no timeout. Elements already expired at the time of rendering are left out.
 */
export type TimeoutState = ReadonlyMap<string, ReadonlyMap<string, number | undefined>>;

/** The timeout sets' contents from computed elements and expiries, as of `now`. */
export function timeoutState(s: Pick<Structure, "sets">, elements: Elements, expiries: Expiries | undefined, now: number): Map<string, Map<string, number | undefined>> {
  const out = new Map<string, Map<string, number | undefined>>();
  for (const set of s.sets) {
    if (!set.timeout) continue;
    const exp = expiries?.get(set.name);
    const m = new Map<string, number | undefined>();
    for (const el of elements.get(set.name) ?? []) {
      const at = exp?.get(el);
      if (at === undefined || at > now) m.set(el, at);
    }
    out.set(set.name, m);
  }
  return out;
}

/** A timeout-set element with its remaining lifetime (at least 1 ms). */
function timedElement(el: string, expiresAt: number | undefined, now: number): string {
  return expiresAt === undefined ? el : `${el} timeout ${Math.max(1, Math.ceil(expiresAt - now))}ms`;
}

function renderStructureText(s: Pick<Structure, "sets" | "chains">, elements: Elements, timed?: { state: TimeoutState; now: number }): string {
  const out: string[] = [`table ${TABLE_REF} {`];
  for (const set of s.sets) {
    out.push(`\t${set.map ? "map" : "set"} ${set.name} {`, `\t\t${set.spec}`, `\t\tcomment "${set.comment}"`);
    const state = set.timeout ? timed?.state.get(set.name) : undefined;
    const els = state ? [...state].map(([el, at]) => timedElement(el, at, timed!.now)) : elements.get(set.name);
    if (els && els.length) out.push(`\t\telements = { ${els.join(",\n\t\t\t")} }`);
    out.push("\t}");
  }
  for (const c of s.chains) {
    out.push(`\tchain ${c.name} {`, `\t\tcomment "${nftString(c.comment, 120)}"`);
    for (const l of c.lines) out.push(`\t\t${l}`);
    out.push("\t}");
  }
  out.push("}");
  return out.join("\n") + "\n";
}

/**
 * The whole ruleset as one atomic `nft -f` file: create the table if missing, delete it, then
 * define it again with its elements. nft applies the file as one transaction, so a failing file
 * leaves the previous table in force.
 */
export function renderFull(s: Structure, elements: Elements, timed?: { state: TimeoutState; now: number }): string {
  return `table ${TABLE_REF}\ndelete table ${TABLE_REF}\n` + renderStructureText(s, elements, timed);
}

/** The table definition alone (what `renderFull` installs), for inspection and tests. */
export function renderTable(s: Structure, elements: Elements): string {
  return renderStructureText(s, elements);
}

const CHUNK = 4096;

/**
 * Element add/delete operations turning `prev` into `next` (one `nft -f` file); "" when equal.
 * Timeout sets are left out: see `renderTimeoutDiff`.
 */
export function renderElementDiff(s: Structure, prev: Elements, next: Elements): string {
  const out: string[] = [];
  for (const set of s.sets) {
    if (set.timeout) continue;
    const a = prev.get(set.name) ?? [];
    const b = next.get(set.name) ?? [];
    if (a === b || (a.length === b.length && a.every((x, i) => x === b[i]))) continue;
    const bSet = new Set(b);
    const aSet = new Set(a);
    const removed = a.filter((x) => !bSet.has(x)).map((x) => (set.map ? x.slice(0, x.indexOf(" : ")) : x));
    const added = b.filter((x) => !aSet.has(x));
    for (let i = 0; i < removed.length; i += CHUNK) out.push(`delete element ${TABLE_REF} ${set.name} { ${removed.slice(i, i + CHUNK).join(", ")} }`);
    for (let i = 0; i < added.length; i += CHUNK) out.push(`add element ${TABLE_REF} ${set.name} { ${added.slice(i, i + CHUNK).join(", ")} }`);
  }
  return out.length ? out.join("\n") + "\n" : "";
}

function chunks(set: string, verb: "add" | "delete", items: readonly string[], out: string[]): void {
  for (let i = 0; i < items.length; i += CHUNK) out.push(`${verb} element ${TABLE_REF} ${set} { ${items.slice(i, i + CHUNK).join(", ")} }`);
}

/**
 * Operations turning the timeout sets' `prev` contents into `next`. The kernel may already
 * have expired an element, and deleting a missing element fails, so an element is removed as
 * `add` + `delete` (the add is a no-op when it is there), and refreshed (its expiry moved) as
 * `add` + `delete` + `add … timeout`: all in one transaction, without a gap.
 */
export function renderTimeoutDiff(s: Pick<Structure, "sets">, prev: TimeoutState, next: TimeoutState, now: number): string {
  const out: string[] = [];
  for (const set of s.sets) {
    if (!set.timeout) continue;
    const a = prev.get(set.name) ?? new Map<string, number | undefined>();
    const b = next.get(set.name) ?? new Map<string, number | undefined>();
    const gone: string[] = [];
    const put: string[] = [];
    for (const [el, at] of a) {
      if (!b.has(el)) gone.push(el);
      else if (b.get(el) !== at) gone.push(el);
    }
    for (const [el, at] of b) if (a.get(el) !== at || !a.has(el)) put.push(timedElement(el, at, now));
    chunks(set.name, "add", gone, out);
    chunks(set.name, "delete", gone, out);
    chunks(set.name, "add", put, out);
  }
  return out.length ? out.join("\n") + "\n" : "";
}

/** Replaces the timeout sets' contents (flush + add, one transaction), e.g. after adopting a table. */
export function renderTimeoutResync(s: Pick<Structure, "sets">, state: TimeoutState, now: number): string {
  const out: string[] = [];
  for (const set of s.sets) {
    if (!set.timeout) continue;
    out.push(`flush set ${TABLE_REF} ${set.name}`);
    chunks(set.name, "add", [...(state.get(set.name) ?? [])].map(([el, at]) => timedElement(el, at, now)), out);
  }
  return out.length ? out.join("\n") + "\n" : "";
}

/** SHA-256 (short) over the timeout sets' contents and expiries. */
export function timeoutStateHash(state: TimeoutState): string {
  const names = [...state.keys()].sort();
  return shortHash(names.map((n) => `${n}=${[...state.get(n)!].map(([el, at]) => `${el}@${at ?? ""}`).sort().join(",")}`).join(";"), 24);
}

/** SHA-256 (short) over all elements; with `Structure.hash` it identifies a compiled result. */
export function elementsHash(elements: Elements): string {
  const names = [...elements.keys()].sort();
  return shortHash(names.map((n) => `${n}=${elements.get(n)!.join(",")}`).join(";"), 24);
}

// ---------------------------------------------------------------------------
// Elements

interface Endpoint {
  labels: Labels;
  labelKey: string;
  v4: number[];
  v6: bigint[];
  local: boolean;
  namedPorts: { name: string; port: number; protocol: number }[];
}

const protoName = (n: number) => (n === 6 ? "tcp" : n === 17 ? "udp" : n === 132 ? "sctp" : String(n));

function nsLike(namespaces: readonly NamespaceLike[]): (name: string) => NamespaceLike {
  const map = new Map<string, NamespaceLike>();
  for (const ns of namespaces) {
    map.set(ns.metadata.name, { metadata: { ...ns.metadata, labels: { [K8S_NAMESPACE_NAME_LABEL]: ns.metadata.name, ...(ns.metadata.labels ?? {}) } } });
  }
  return (name) => map.get(name) ?? { metadata: { name, labels: { [K8S_NAMESPACE_NAME_LABEL]: name } } };
}

/**
 * Computes set and map contents. Keep one `ElementsComputer` per structure: it caches selector
 * results per distinct label set and network-set ranges, so pod churn costs little.
 */
export class ElementsComputer {
  private readonly matchCache = new Map<string, Map<string, boolean>>();
  private readonly netsetRangeCache = new Map<string, string[]>();
  private readonly netsetHostCache = new Map<string, { v4: number[]; v6: bigint[]; text: string[] }>();

  constructor(readonly structure: Structure) {}

  private readonly endpointCache = new WeakMap<AgentPod, { nsKey: string; nodeName: string; ep: Endpoint | null }>();

  /** A pod's endpoint: its addresses, full label set (namespace labels included) and named ports. */
  private endpointOf(pod: AgentPod, namespace: string, ns: NamespaceLike, nodeName: string): Endpoint | null {
    const texts = new Set<string>();
    for (const p of pod.status?.podIPs ?? []) texts.add(p.ip);
    if (pod.status?.podIP) texts.add(pod.status.podIP);
    const v4: number[] = [];
    const v6: bigint[] = [];
    for (const t of texts) {
      try {
        const ip = parseIp(t);
        if (ip.family === 4) v4.push(Number(ip.value));
        else v6.push(ip.value);
      } catch {
        // unparseable pod IPs are ignored
      }
    }
    if (v4.length === 0 && v6.length === 0) return null;
    const saName = pod.spec?.serviceAccountName || "default";
    const labels = endpointLabelsForPod({ metadata: { ...pod.metadata, namespace }, spec: { serviceAccountName: saName } }, ns);
    const labelKey = JSON.stringify(Object.entries(labels).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    const namedPorts: Endpoint["namedPorts"] = [];
    for (const c of pod.spec?.containers ?? []) {
      for (const p of c.ports ?? []) if (p.name) namedPorts.push({ name: p.name, port: p.containerPort, protocol: protocolNumber(p.protocol ?? "TCP") });
    }
    return { labels, labelKey, v4, v6, local: pod.spec?.nodeName === nodeName, namedPorts };
  }

  private matches(sel: Selector, ep: { labels: Labels; labelKey: string }): boolean {
    let m = this.matchCache.get(ep.labelKey);
    if (!m) {
      if (this.matchCache.size > 200_000) this.matchCache.clear();
      this.matchCache.set(ep.labelKey, (m = new Map()));
    }
    const uid = sel.uid();
    let r = m.get(uid);
    if (r === undefined) {
      r = sel.matches(ep.labels);
      m.set(uid, r);
    }
    return r;
  }

  compute(cluster: ClusterState): Elements {
    return this.computeAll(cluster).elements;
  }

  /** Elements, the expiries of the timeout sets' elements, and the domain sets with their clients. */
  computeAll(cluster: ClusterState): ComputedElements {
    const nsFor = nsLike(cluster.namespaces);
    // Endpoints: pods with an IP that are not host-networked and not finished.
    const endpoints: Endpoint[] = [];
    const seen = new Set<string>();
    const nsKeys = new Map<string, string>();
    const nsKeyOf = (namespace: string): string => {
      let k = nsKeys.get(namespace);
      if (k === undefined) nsKeys.set(namespace, (k = JSON.stringify(Object.entries(nsFor(namespace).metadata.labels ?? {}).sort((a, b) => (a[0] < b[0] ? -1 : 1)))));
      return k;
    };
    for (const pod of cluster.pods) {
      if (pod.spec?.hostNetwork) continue;
      const phase = pod.status?.phase;
      if (phase === "Succeeded" || phase === "Failed") continue;
      const namespace = pod.metadata.namespace ?? "default";
      const key = `${namespace}/${pod.metadata.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // A pod object that has not changed (nor its namespace's labels) keeps its derived endpoint.
      const nsKey = nsKeyOf(namespace);
      const cached = this.endpointCache.get(pod);
      let ep: Endpoint | null;
      if (cached && cached.nsKey === nsKey && cached.nodeName === cluster.nodeName) ep = cached.ep;
      else {
        ep = this.endpointOf(pod, namespace, nsFor(namespace), cluster.nodeName);
        this.endpointCache.set(pod, { nsKey, nodeName: cluster.nodeName, ep });
      }
      if (ep) endpoints.push(ep);
    }
    // Group endpoints by label set: selectors are evaluated once per distinct label set.
    const groupMap = new Map<string, { labels: Labels; labelKey: string; all: Endpoint[]; local: Endpoint[] }>();
    for (const e of endpoints) {
      let g = groupMap.get(e.labelKey);
      if (!g) groupMap.set(e.labelKey, (g = { labels: e.labels, labelKey: e.labelKey, all: [], local: [] }));
      g.all.push(e);
      if (e.local) g.local.push(e);
    }
    const groups = [...groupMap.values()];
    const localGroups = groups.filter((g) => g.local.length > 0);
    const local = localGroups.flatMap((g) => g.local);
    const select = (sel: Selector, onlyLocal: boolean): Endpoint[] =>
      (onlyLocal ? localGroups : groups).filter((g) => this.matches(sel, g)).flatMap((g) => (onlyLocal ? g.local : g.all));

    // Network sets with their current labels (namespaced sets inherit namespace labels).
    const netsets = this.structure.netsets.map((n) => {
      const labels = endpointLabelsForNetworkSet({ kind: n.kind, metadata: { name: n.name, namespace: n.namespace, labels: n.labels } }, n.namespace !== undefined ? nsFor(n.namespace) : null);
      return { info: n, labels, labelKey: JSON.stringify(Object.entries(labels).sort((a, b) => (a[0] < b[0] ? -1 : 1))) };
    });

    const out = new Map<string, string[]>();
    const expiries = new Map<string, Map<string, number>>();
    const setExpiry = (name: string, m: ReadonlyMap<string, number | undefined>) => {
      const e = new Map<string, number>();
      for (const [ip, at] of m) if (at !== undefined) e.set(ip, at);
      if (e.size) expiries.set(name, e);
    };
    /** Learned addresses of a domain set in one family: canonical text → expiry (undefined: none). */
    const learned = (id: string, f: Family): Map<string, number | undefined> => {
      const m = new Map<string, number | undefined>();
      const exp = cluster.dnsExpiry?.get(id);
      for (const t of cluster.dns.get(id) ?? []) {
        let text: string;
        try {
          const ip = parseIp(t);
          if (ip.family !== f) continue;
          text = f === 4 ? v4Text(Number(ip.value)) : v6Text(ip.value);
        } catch {
          continue; // ignore unparseable learned addresses
        }
        const at = exp?.get(t);
        const prev = m.get(text);
        m.set(text, !m.has(text) ? at : prev === undefined || at === undefined ? undefined : Math.max(prev, at));
      }
      return m;
    };
    /** The local pods whose answers feed a domain set (and which an exclusive set spares). */
    const clientMemo = new Map<string, Endpoint[]>();
    const clientsOf = (id: string): Endpoint[] => {
      let eps = clientMemo.get(id);
      if (eps) return eps;
      const meta = this.structure.domainSetMeta.get(id);
      const selectors: Selector[] = [];
      if (meta?.kind === "rule") selectors.push(...meta.policySelectors);
      else if (meta?.kind === "netset") {
        const n = netsets.find((x) => x.info.domainSetId === id);
        if (n) for (const ref of this.structure.peerDomainPolicies.values()) if (this.matches(ref.selector, n)) selectors.push(...ref.policySelectors);
      }
      eps = localGroups.filter((g) => selectors.some((x) => this.matches(x, g))).flatMap((g) => g.local);
      clientMemo.set(id, eps);
      return eps;
    };
    const addrs = (eps: readonly Endpoint[], f: Family): string[] => {
      if (f === 4) {
        const list = [...new Set(eps.flatMap((e) => e.v4))].sort((a, b) => a - b);
        return list.map(v4Text);
      }
      const list = [...new Set(eps.flatMap((e) => e.v6))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return list.map(v6Text);
    };

    for (const set of this.structure.sets) {
      const src = set.source;
      let els: string[];
      switch (src.kind) {
        case "dispatch":
          els = addrs(local, src.family).map((ip) => `${ip} : jump ${src.dir}`);
          break;
        case "local-selected":
          els = addrs(select(src.selector, true), src.family);
          break;
        case "tier-enforced":
          els = addrs(localGroups.filter((g) => src.selectors.some((x) => this.matches(x, g))).flatMap((g) => g.local), src.family);
          break;
        case "peer": {
          const matchedSets = netsets.filter((n) => this.matches(src.selector, n)).map((n) => n.info);
          els = src.part === "ranges" ? this.peerRanges(matchedSets, src.family) : this.peerHosts(matchedSets, select(src.selector, false), src.family);
          break;
        }
        case "named-port": {
          const eps = src.selector === null ? endpoints : select(src.selector, false);
          const items = new Set<string>();
          for (const e of eps) {
            for (const np of e.namedPorts) {
              if (np.name !== src.port || (src.protocol !== undefined && np.protocol !== src.protocol)) continue;
              for (const ip of addrs([e], src.family)) items.add(`${ip} . ${protoName(np.protocol)} . ${np.port}`);
            }
          }
          els = [...items].sort();
          break;
        }
        case "domains": {
          const m = learned(src.id, src.family);
          els = [...m.keys()].sort();
          setExpiry(set.name, m);
          break;
        }
        case "peer-domains": {
          const m = new Map<string, number | undefined>();
          for (const n of netsets) {
            if (!n.info.domainSetId || !this.matches(src.selector, n)) continue;
            for (const [ip, at] of learned(n.info.domainSetId, src.family)) {
              const prev = m.get(ip);
              m.set(ip, !m.has(ip) ? at : prev === undefined || at === undefined ? undefined : Math.max(prev, at));
            }
          }
          els = [...m.keys()].sort();
          setExpiry(set.name, m);
          break;
        }
        case "domain-clients":
          els = addrs(clientsOf(src.id), src.family);
          break;
        case "local-pods":
          els = addrs(local, src.family);
          break;
        case "dns-resolvers":
          els = cluster.dnsRedirect === false ? [] : this.canonical(this.structure.dnsResolvers, src.family);
          break;
        case "constant":
          els = [...src.elements];
          break;
      }
      out.set(set.name, els);
    }
    const domainSets: DomainSetSpec[] = [];
    for (const [id, patterns] of this.structure.domainSets) {
      const eps = clientsOf(id);
      domainSets.push({ id, patterns: [...patterns], clientIps: [...addrs(eps, 4), ...addrs(eps, 6)] });
    }
    return { elements: out, expiries, domainSets };
  }

  private canonical(ips: readonly string[], f: Family): string[] {
    const out = new Set<string>();
    for (const t of ips) {
      try {
        const ip = parseIp(t);
        if (ip.family === f) out.add(f === 4 ? v4Text(Number(ip.value)) : v6Text(ip.value));
      } catch {
        // unparseable addresses are ignored
      }
    }
    return [...out].sort();
  }

  /** The wider CIDRs of the matched network sets, merged into ranges. */
  private peerRanges(sets: readonly NetsetInfo[], f: Family): string[] {
    const key = `${f}|${sets.map((s) => `${s.kind}/${s.namespace ?? ""}/${s.name}`).join("|")}`;
    let hit = this.netsetRangeCache.get(key);
    if (!hit) {
      const cidrs = sets.flatMap((s) => s.cidrs).filter((c) => c.family === f && c.start !== c.end);
      hit = f === 4 ? renderV4(mergeV4(cidrs.map((c) => [Number(c.start), Number(c.end)]))) : renderV6(mergeV6(cidrs.map((c) => [c.start, c.end])));
      this.netsetRangeCache.set(key, hit);
    }
    return hit;
  }

  /** Single addresses: the matched endpoints' and the matched network sets' one-address CIDRs. */
  private peerHosts(sets: readonly NetsetInfo[], eps: readonly Endpoint[], f: Family): string[] {
    const key = `${f}|${sets.map((s) => `${s.kind}/${s.namespace ?? ""}/${s.name}`).join("|")}`;
    let base = this.netsetHostCache.get(key);
    if (!base) {
      base = { v4: [], v6: [], text: [] };
      for (const s of sets) {
        for (const c of s.cidrs) {
          if (c.start !== c.end || c.family !== f) continue;
          if (f === 4) base.v4.push(Number(c.start));
          else base.v6.push(c.start);
        }
      }
      base.text = f === 4 ? [...new Set(base.v4)].sort((a, b) => a - b).map(v4Text) : [...new Set(base.v6)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(v6Text);
      this.netsetHostCache.set(key, base);
    }
    // A selector matching only network sets (a threat feed): the cached list as it is.
    if (eps.every((e) => (f === 4 ? e.v4.length : e.v6.length) === 0)) return base.text;
    if (f === 4) {
      const all = new Set<number>(base.v4);
      for (const e of eps) for (const a of e.v4) all.add(a);
      return [...all].sort((a, b) => a - b).map(v4Text);
    }
    const all = new Set<bigint>(base.v6);
    for (const e of eps) for (const a of e.v6) all.add(a);
    return [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(v6Text);
  }
}
