import { describe, expect, it } from "vitest";
import {
  compileStructure,
  DEFAULT_FAILSAFES,
  ElementsComputer,
  elementsHash,
  MARK_ALLOW,
  MARK_PASS,
  parseBundleResources,
  renderElementDiff,
  renderFull,
  renderTimeoutDiff,
  timeoutState,
  type AgentPod,
  type ClusterState,
  type Structure,
} from "./compile";
import { NFT_NAME_MAX, nftName } from "./names";
import { mergeV4, renderV4, renderV6, v6Text } from "./ranges";

const gv = "projectcalico.org/v3";

function structureOf(docs: unknown[]): Structure {
  const parsed = parseBundleResources(docs);
  expect(parsed.warnings).toEqual([]);
  return compileStructure(parsed.resources, { failsafes: DEFAULT_FAILSAFES });
}

function pod(name: string, namespace: string, labels: Record<string, string>, ip: string, nodeName = "n1", ports: { name: string; containerPort: number; protocol?: string }[] = []): AgentPod {
  return { metadata: { name, namespace, labels }, spec: { nodeName, containers: [{ ports }] }, status: { podIP: ip } };
}

function cluster(pods: AgentPod[], extra: Partial<ClusterState> = {}): ClusterState {
  return { pods, namespaces: [{ metadata: { name: "shop", labels: { env: "prod" } } }, { metadata: { name: "dev", labels: { env: "dev" } } }], nodeName: "n1", dns: new Map(), ...extra };
}

function chain(s: Structure, predicate: (name: string, comment: string) => boolean) {
  const c = s.chains.find((x) => predicate(x.name, x.comment));
  if (!c) throw new Error("chain not found");
  return c;
}

const webPolicy = {
  apiVersion: gv,
  kind: "NetworkPolicy",
  metadata: { name: "web", namespace: "shop" },
  spec: {
    selector: "app == 'web'",
    order: 10,
    ingress: [
      { action: "Log" },
      { action: "Allow", protocol: "TCP", source: { namespaceSelector: "env == 'dev'" }, destination: { ports: [80, "8000:8080", "http"] } },
    ],
  },
};
const denyGnp = {
  apiVersion: gv,
  kind: "GlobalNetworkPolicy",
  metadata: { name: "deny-threats" },
  spec: { order: 1, selector: "all()", types: ["Egress"], egress: [{ action: "Deny", destination: { selector: "feed == 'threat'" } }, { action: "Pass", destination: { nets: ["10.0.0.0/8"] } }] },
};
const threats = { apiVersion: gv, kind: "GlobalNetworkSet", metadata: { name: "threats", labels: { feed: "threat" } }, spec: { nets: ["1.2.3.0/25", "1.2.3.128/25", "5.5.5.5", "2001:db8::/64"] } };

describe("compileStructure", () => {
  it("is deterministic: the same input gives a byte-identical ruleset, whatever the input order", () => {
    const pods = [pod("w", "shop", { app: "web" }, "10.1.0.2"), pod("c", "dev", { app: "c" }, "10.1.0.3", "n2")];
    const a = structureOf([webPolicy, denyGnp, threats]);
    const b = structureOf([threats, denyGnp, webPolicy]);
    const ea = new ElementsComputer(a).compute(cluster(pods));
    const eb = new ElementsComputer(b).compute(cluster([...pods].reverse()));
    expect(renderFull(a, ea)).toBe(renderFull(b, eb));
    expect(a.hash).toBe(b.hash);
    expect(elementsHash(ea)).toBe(elementsHash(eb));
  });

  it("keeps every nft name within 31 characters, stable and unique, even for long policy names", () => {
    const long = "x".repeat(62);
    const docs = [
      { apiVersion: gv, kind: "GlobalNetworkPolicy", metadata: { name: `${long}a` }, spec: { selector: "all()" } },
      { apiVersion: gv, kind: "GlobalNetworkPolicy", metadata: { name: `${long}b` }, spec: { selector: "all()" } },
    ];
    const s = structureOf(docs);
    const names = [...s.chains.map((c) => c.name), ...s.sets.map((x) => x.name)];
    for (const n of names) expect(n.length).toBeLessThanOrEqual(NFT_NAME_MAX);
    expect(new Set(names).size).toBe(names.length);
    expect(structureOf(docs).chains.map((c) => c.name)).toEqual(s.chains.map((c) => c.name));
    expect(nftName("pin", "k1", long)).not.toBe(nftName("pin", "k2", long));
    expect(nftName("pin", "k1", long).length).toBe(NFT_NAME_MAX);
  });

  it("pod churn changes elements only, never the structure; the element diff adds and deletes exactly", () => {
    const s = structureOf([webPolicy, denyGnp, threats]);
    const computer = new ElementsComputer(s);
    const before = computer.compute(cluster([pod("w", "shop", { app: "web" }, "10.1.0.2")]));
    const after = computer.compute(cluster([pod("w", "shop", { app: "web" }, "10.1.0.2"), pod("w2", "shop", { app: "web" }, "10.1.0.9")]));
    expect(structureOf([webPolicy, denyGnp, threats]).hash).toBe(s.hash);
    const diff = renderElementDiff(s, before, after);
    expect(diff).toMatch(/^add element inet portcullis dispatch_in_\w+ \{ 10\.1\.0\.9 : jump ingress \}$/m);
    expect(diff).not.toMatch(/delete/);
    expect(diff).not.toMatch(/chain|rule/);
    const back = renderElementDiff(s, after, before);
    expect(back).toMatch(/^delete element inet portcullis dispatch_in_\w+ \{ 10\.1\.0\.9 \}$/m);
    expect(renderElementDiff(s, before, before)).toBe("");
  });

  it("orders tiers and policies as the evaluator does, with end-of-tier drop and Pass/Allow marks", () => {
    const tier = { apiVersion: gv, kind: "Tier", metadata: { name: "security" }, spec: { order: 100 } };
    const passTier = { apiVersion: gv, kind: "Tier", metadata: { name: "platform" }, spec: { order: 200, defaultAction: "Pass" } };
    const sec = { apiVersion: gv, kind: "GlobalNetworkPolicy", metadata: { name: "security.p" }, spec: { tier: "security", selector: "all()", types: ["Egress"], egress: [{ action: "Pass" }] } };
    const plat = { apiVersion: gv, kind: "GlobalNetworkPolicy", metadata: { name: "platform.p" }, spec: { tier: "platform", selector: "all()", types: ["Egress"], egress: [{ action: "Allow", protocol: "UDP" }] } };
    const b = { apiVersion: gv, kind: "GlobalNetworkPolicy", metadata: { name: "b" }, spec: { order: 5, selector: "all()", types: ["Egress"], egress: [{ action: "Allow" }] } };
    const a = { apiVersion: gv, kind: "GlobalNetworkPolicy", metadata: { name: "a" }, spec: { order: 5, selector: "all()", types: ["Egress"], egress: [{ action: "Deny" }] } };
    const s = structureOf([b, a, plat, sec, tier, passTier]);
    const egress = chain(s, (n) => n === "egress");
    const tierJumps = egress.lines.filter((l) => l.startsWith("jump ")).map((l) => l.slice(5));
    expect(tierJumps.map((t) => chain(s, (n) => n === t).comment)).toEqual(["tier security egress", "tier platform egress", "tier default egress"]);
    const def = chain(s, (_n, c) => c === "tier default egress");
    const policyOrder = def.lines.filter((l) => l.startsWith("jump ")).map((l) => chain(s, (n) => n === l.slice(5)).comment);
    expect(policyOrder).toEqual(["GlobalNetworkPolicy a egress", "GlobalNetworkPolicy b egress"]); // same order: name breaks the tie
    expect(def.lines.filter((l) => /counter drop comment "end of tier default egress"/.test(l))).toHaveLength(2);
    const platform = chain(s, (_n, c) => c === "tier platform egress");
    expect(platform.lines.some((l) => l.includes("drop"))).toBe(false); // defaultAction Pass: no end-of-tier drop
    const secPolicy = chain(s, (_n, c) => c === "GlobalNetworkPolicy security.p egress");
    expect(secPolicy.lines.some((l) => l.includes(`meta mark | 0x00${(MARK_PASS >>> 16).toString(16)}0000 return`))).toBe(true);
    const bPolicy = chain(s, (_n, c) => c === "GlobalNetworkPolicy b egress");
    expect(bPolicy.lines.some((l) => l.includes(`meta mark | 0x00${(MARK_ALLOW >>> 16).toString(16)}0000 return`))).toBe(true);
    // No ingress policy: the ingress chain has no tier and ends in the profile allow.
    expect(chain(s, (n) => n === "ingress").lines.some((l) => l.startsWith("jump"))).toBe(false);
  });

  it("counts staged policies in separate chains that never decide, and never adds an end-of-tier drop for them", () => {
    const staged = { apiVersion: gv, kind: "StagedGlobalNetworkPolicy", metadata: { name: "trial" }, spec: { selector: "all()", types: ["Egress"], egress: [{ action: "Deny" }, { action: "Log" }] } };
    const s = structureOf([staged]);
    const stagedChain = chain(s, (_n, c) => c.startsWith("staged"));
    const rules = stagedChain.lines.filter((l) => l.startsWith("meta nfproto"));
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      expect(r).not.toMatch(/\b(drop|accept)\b|meta mark set/);
      expect(r).toMatch(/counter/);
    }
    const tier = chain(s, (_n, c) => c === "tier default egress");
    expect(tier.lines.some((l) => l.includes("drop"))).toBe(false);
  });

  it("logs with a prefix naming the policy and rule, then continues", () => {
    const s = structureOf([webPolicy]);
    const c = chain(s, (_n, cm) => cm === "NetworkPolicy shop/web ingress");
    const log = c.lines.find((l) => l.includes("log prefix"));
    expect(log).toMatch(/counter log prefix "pc NetworkPolicy shop\/web ingress 0: "/);
    expect(log).not.toMatch(/return|drop|accept/);
  });

  it("renders ports, port ranges, named ports, protocols and ICMP matches", () => {
    const icmp = {
      apiVersion: gv,
      kind: "GlobalNetworkPolicy",
      metadata: { name: "icmp" },
      spec: {
        selector: "all()",
        ingress: [
          { action: "Allow", protocol: "ICMP", icmp: { type: 8, code: 0 } },
          { action: "Deny", protocol: "ICMP", notICMP: { type: 3, code: 1 } },
          { action: "Allow", protocol: "UDP", notProtocol: "TCP", source: { notPorts: [53] } },
        ],
      },
    };
    const s = structureOf([webPolicy, icmp]);
    const web = chain(s, (_n, c) => c === "NetworkPolicy shop/web ingress");
    const allow = web.lines.filter((l) => l.includes('ingress 1"'));
    // A list of ports is a named set of constants, shared by every rule with the same list.
    const portsRule = allow.find((l) => /meta l4proto 6 .*th dport @cp_\w+/.test(l));
    expect(portsRule).toBeDefined();
    const portsSet = s.sets.find((x) => portsRule!.includes(`@${x.name} `))!;
    expect(portsSet.spec).toBe("type inet_service; flags interval");
    expect(portsSet.source).toMatchObject({ kind: "constant", elements: ["80", "8000-8080"] });
    const again = structureOf([webPolicy, { ...webPolicy, metadata: { ...webPolicy.metadata, name: "web-2" } }, icmp]);
    expect(again.sets.filter((x) => x.source.kind === "constant" && x.spec.includes("inet_service"))).toHaveLength(1);
    expect(allow.some((l) => /ip daddr \. meta l4proto \. th dport @n4_\w+/.test(l))).toBe(true);
    const ic = chain(s, (_n, c) => c === "GlobalNetworkPolicy icmp ingress");
    expect(ic.lines.some((l) => l.includes("icmp type 8 icmp code 0"))).toBe(true);
    expect(ic.lines.some((l) => l.includes("icmpv6"))).toBe(false); // ICMP (v4) rules are omitted for IPv6
    expect(ic.lines.filter((l) => l.includes('ingress 1"'))).toEqual([
      expect.stringContaining("icmp type != 3"),
      expect.stringContaining("icmp type 3 icmp code != 1"),
    ]);
    expect(ic.lines.some((l) => l.includes("meta l4proto != 6") && l.includes("th sport != 53"))).toBe(true);
    // Named port elements: (IP, protocol, port) of the matching pods.
    const e = new ElementsComputer(s).compute(cluster([pod("w", "shop", { app: "web" }, "10.1.0.2", "n1", [{ name: "http", containerPort: 8080 }])]));
    const np = s.sets.find((x) => x.source.kind === "named-port" && x.source.family === 4)!;
    expect(e.get(np.name)).toEqual(["10.1.0.2 . tcp . 8080"]);
  });

  it("omits a rule for the family its nets exclude, and services rules never match", () => {
    const p = {
      apiVersion: gv,
      kind: "GlobalNetworkPolicy",
      metadata: { name: "fam" },
      spec: {
        selector: "all()",
        types: ["Egress"],
        egress: [
          { action: "Allow", destination: { nets: ["2001:db8::/32"] } },
          { action: "Allow", ipVersion: 4, destination: { notNets: ["10.0.0.0/8"] } },
          { action: "Allow", destination: { services: { name: "kube-dns", namespace: "kube-system" } } },
        ],
      },
    };
    const c = chain(structureOf([p]), (_n, cm) => cm === "GlobalNetworkPolicy fam egress");
    const r0 = c.lines.filter((l) => l.includes('egress 0"'));
    expect(r0).toHaveLength(1);
    expect(r0[0]).toMatch(/meta nfproto ipv6 ip6 daddr 2001:db8::\/32/);
    const r1 = c.lines.filter((l) => l.includes('egress 1"'));
    expect(r1).toEqual([expect.stringMatching(/meta nfproto ipv4 ip daddr != 10\.0\.0\.0\/8/)]);
    expect(c.lines.some((l) => l.includes('egress 2"'))).toBe(false);
  });

  it("fills selector sets with pod IPs cluster-wide and network-set CIDRs (merged), policy sets with local pods only", () => {
    const s = structureOf([webPolicy, denyGnp, threats]);
    const pods = [pod("w", "shop", { app: "web" }, "10.1.0.2"), pod("w-remote", "shop", { app: "web" }, "10.2.0.2", "n2"), pod("d", "dev", { app: "x" }, "10.2.0.7", "n2")];
    const e = new ElementsComputer(s).compute(cluster(pods));
    const peer = (text: string, f: 4 | 6, part: "hosts" | "ranges" = "hosts") =>
      s.sets.find((x) => x.source.kind === "peer" && x.source.family === f && x.source.part === part && x.source.selector.toString().includes(text));
    // Single addresses in a hash set, wider CIDRs in an interval set.
    expect(e.get(peer("threat", 4)!.name)).toEqual(["5.5.5.5"]);
    expect(peer("threat", 4)!.spec).toBe("type ipv4_addr");
    expect(e.get(peer("threat", 4, "ranges")!.name)).toEqual(["1.2.3.0/24"]);
    expect(peer("threat", 4, "ranges")!.spec).toBe("type ipv4_addr; flags interval");
    expect(e.get(peer("threat", 6, "ranges")!.name)).toEqual(["2001:db8::/64"]);
    expect(e.get(peer("threat", 6)!.name)).toEqual([]);
    // Both parts are matched (ORed) by the rule.
    const deny = s.chains.flatMap((c) => c.lines).filter((l) => l.includes(`@${peer("threat", 4)!.name}`) || l.includes(`@${peer("threat", 4, "ranges")!.name}`));
    expect(deny).toHaveLength(2);
    expect(e.get(peer("pcns.env", 4)!.name)).toEqual(["10.2.0.7"]);
    // A selector that matches no network set with ranges gets no ranges set at all.
    expect(peer("pcns.env", 4, "ranges")).toBeUndefined();
    const local = s.sets.find((x) => x.source.kind === "local-selected" && x.source.family === 4 && x.source.selector.toString().includes("web"))!;
    expect(e.get(local.name)).toEqual(["10.1.0.2"]);
    const dispatch = s.sets.filter((x) => x.source.kind === "dispatch" && x.source.family === 4).map((x) => e.get(x.name));
    expect(dispatch).toEqual([["10.1.0.2 : jump egress"], ["10.1.0.2 : jump ingress"]]);
  });

  it("adds learned DNS answers to the rule's own timeout sets, with their expiry", () => {
    const p = { apiVersion: gv, kind: "GlobalNetworkPolicy", metadata: { name: "dns" }, spec: { selector: "all()", types: ["Egress"], egress: [{ action: "Allow", destination: { domains: ["api.example.com"] } }] } };
    const s = structureOf([p]);
    const id = "rule:GlobalNetworkPolicy dns egress 0";
    expect([...s.domainSets.keys()]).toEqual([id]);
    const exp = new Map([["192.0.2.10", 5000], ["192.0.2.11", 6000], ["2001:db8::1", 7000]]);
    const r = new ElementsComputer(s).computeAll(cluster([], { dns: new Map([[id, ["192.0.2.10", "192.0.2.11", "2001:db8::1"]]]), dnsExpiry: new Map([[id, exp]]) }));
    const d4 = s.sets.find((x) => x.source.kind === "domains" && x.source.family === 4)!;
    expect(d4.spec).toContain("flags timeout");
    expect(r.elements.get(d4.name)).toEqual(["192.0.2.10", "192.0.2.11"]);
    expect([...r.expiries.get(d4.name)!]).toEqual([["192.0.2.10", 5000], ["192.0.2.11", 6000]]);
    const egress = s.chains.find((c) => c.comment.includes("GlobalNetworkPolicy dns egress"))!;
    expect(egress.lines.some((l) => l.includes(`ip daddr @${d4.name}`) && l.includes("return"))).toBe(true);
    // Rendered with the remaining lifetime as the nft timeout; expired elements are left out.
    const text = renderFull(s, r.elements, { state: timeoutState(s, r.elements, r.expiries, 5500), now: 5500 });
    expect(text).toContain("192.0.2.11 timeout 500ms");
    expect(text).not.toContain("192.0.2.10");
  });

  it("feeds a namespaced policy's domain set only from the pods it selects", () => {
    const np = { apiVersion: gv, kind: "NetworkPolicy", metadata: { name: "pay", namespace: "shop" }, spec: { selector: "app == 'pay'", types: ["Egress"], egress: [{ action: "Allow", destination: { domains: ["*.stripe.com"] } }] } };
    const s = structureOf([np]);
    const r = new ElementsComputer(s).computeAll(cluster([pod("pay", "shop", { app: "pay" }, "10.1.0.2"), pod("pay2", "dev", { app: "pay" }, "10.1.0.3"), pod("remote", "shop", { app: "pay" }, "10.9.0.2", "n2")]));
    expect(r.domainSets).toEqual([{ id: "rule:NetworkPolicy shop/pay egress 0", patterns: ["*.stripe.com"], clientIps: ["10.1.0.2"] }]);
  });

  it("ORs a network set's learned domain addresses with its nets in egress Allow rules only", () => {
    const ns = { apiVersion: gv, kind: "GlobalNetworkSet", metadata: { name: "saas", labels: { kind: "saas" }, annotations: { "portcullis.dev/exclusive-domains": "true" } }, spec: { nets: ["198.51.100.0/28"], allowedEgressDomains: ["api.saas.test"] } };
    const p = {
      apiVersion: gv,
      kind: "GlobalNetworkPolicy",
      metadata: { name: "to-saas" },
      spec: { selector: "app == 'client'", types: ["Egress", "Ingress"], egress: [{ action: "Allow", destination: { selector: "kind == 'saas'" } }], ingress: [{ action: "Allow", source: { selector: "kind == 'saas'" } }] },
    };
    const s = structureOf([ns, p]);
    const pd = s.sets.filter((x) => x.source.kind === "peer-domains");
    expect(pd.map((x) => x.source.family).sort()).toEqual([4, 6]);
    const pd4 = pd.find((x) => x.source.family === 4)!;
    const egress = s.chains.find((c) => c.comment.includes("to-saas egress"))!;
    const ingress = s.chains.find((c) => c.comment.includes("to-saas ingress"))!;
    // The set's hosts, its ranges (198.51.100.0/28) and its learned domain addresses, ORed.
    expect(egress.lines.filter((l) => l.startsWith("meta nfproto ipv4") && l.includes("ip daddr @")).length).toBe(3);
    expect(egress.lines.some((l) => l.includes(`@${pd4.name}`))).toBe(true);
    expect(ingress.lines.some((l) => l.includes("@pd"))).toBe(false);
    const id = "GlobalNetworkSet saas";
    const r = new ElementsComputer(s).computeAll(
      cluster([pod("c", "dev", { app: "client" }, "10.1.0.5"), pod("x", "dev", { app: "other" }, "10.1.0.6")], { dns: new Map([[id, ["203.0.113.9"]]]), dnsExpiry: new Map([[id, new Map([["203.0.113.9", 9000]])]]) }),
    );
    expect(r.elements.get(pd4.name)).toEqual(["203.0.113.9"]);
    expect(r.domainSets).toEqual([{ id, patterns: ["api.saas.test"], clientIps: ["10.1.0.5"] }]);
    // Exclusive: denied early for local pods that are not clients.
    const fwd = chain(s, (n) => n === "forward").lines;
    const x = fwd.find((l) => l.includes("exclusive domains of GlobalNetworkSet saas") && l.startsWith("ip "))!;
    expect(fwd.indexOf(x)).toBeLessThan(fwd.findIndex((l) => l.includes("vmap")));
    const xc = s.sets.find((z) => z.source.kind === "domain-clients" && z.source.family === 4)!;
    const lp = s.sets.find((z) => z.source.kind === "local-pods" && z.source.family === 4)!;
    expect(x).toContain(`ip saddr != @${xc.name}`);
    expect(r.elements.get(xc.name)).toEqual(["10.1.0.5"]);
    expect(r.elements.get(lp.name)).toEqual(["10.1.0.5", "10.1.0.6"]);
  });

  it("redirects local pods' DNS to the proxy; fail-open empties the resolver set", () => {
    const s = compileStructure([], { failsafes: DEFAULT_FAILSAFES, dns: { resolvers: ["10.96.0.10"], proxy: { host: "10.0.0.1", port: 15353 } } });
    const nat = chain(s, (n) => n === "dns_redirect").lines;
    expect(nat[0]).toMatch(/type nat hook prerouting priority dstnat - 10/);
    expect(nat.some((l) => /dnat ip to 10\.0\.0\.1:15353/.test(l) && l.includes("th dport 53"))).toBe(true);
    const dr = s.sets.find((x) => x.source.kind === "dns-resolvers" && x.source.family === 4)!;
    const pods = [pod("a", "dev", {}, "10.1.0.2")];
    expect(new ElementsComputer(s).compute(cluster(pods)).get(dr.name)).toEqual(["10.96.0.10"]);
    expect(new ElementsComputer(s).compute(cluster(pods, { dnsRedirect: false })).get(dr.name)).toEqual([]);
    const any = compileStructure([], { failsafes: DEFAULT_FAILSAFES, dns: { resolvers: ["10.96.0.10"], proxy: { host: "0.0.0.0", port: 15353 } } });
    expect(chain(any, (n) => n === "dns_redirect").lines.some((l) => l.includes("redirect to :15353"))).toBe(true);
  });

  it("refreshes timeout-set elements safely: add+delete before re-adding with the new timeout", () => {
    const p = { apiVersion: gv, kind: "GlobalNetworkPolicy", metadata: { name: "dns" }, spec: { selector: "all()", types: ["Egress"], egress: [{ action: "Allow", destination: { domains: ["a.test"] } }] } };
    const s = structureOf([p]);
    const d4 = s.sets.find((x) => x.source.kind === "domains" && x.source.family === 4)!.name;
    const prev = new Map([[d4, new Map<string, number | undefined>([["192.0.2.1", 2000], ["192.0.2.2", 2000]])]]);
    const next = new Map([[d4, new Map<string, number | undefined>([["192.0.2.1", 4000], ["192.0.2.3", 3000]])]]);
    const diff = renderTimeoutDiff(s, prev, next, 1000).trim().split("\n");
    expect(diff).toEqual([
      `add element inet portcullis ${d4} { 192.0.2.1, 192.0.2.2 }`,
      `delete element inet portcullis ${d4} { 192.0.2.1, 192.0.2.2 }`,
      `add element inet portcullis ${d4} { 192.0.2.1 timeout 3000ms, 192.0.2.3 timeout 2000ms }`,
    ]);
    expect(renderTimeoutDiff(s, next, next, 1000)).toBe("");
  });

  it("puts conntrack, then failsafes, before policy dispatch in the forward hook", () => {
    const fwd = chain(structureOf([]), (n) => n === "forward").lines;
    expect(fwd[0]).toMatch(/hook forward/);
    expect(fwd[1]).toMatch(/^ct state established,related counter accept/);
    expect(fwd[2]).toMatch(/^ct state invalid counter drop/);
    expect(fwd.slice(3, 5).every((l) => /failsafe/.test(l))).toBe(true);
    expect(fwd.findIndex((l) => l.includes("vmap"))).toBeGreaterThan(4);
  });
});

describe("ranges", () => {
  it("merges overlapping and adjacent ranges and renders aligned ones as CIDRs", () => {
    expect(renderV4(mergeV4([[10, 20], [21, 30], [5, 12], [100, 100]]))).toEqual(["0.0.0.5-0.0.0.30", "0.0.0.100"]);
    expect(renderV4(mergeV4([[0x0a000000, 0x0a0000ff]]))).toEqual(["10.0.0.0/24"]);
    expect(renderV6([0n, 0xffn])).toEqual(["::/120"]);
    expect(v6Text(0x20010db8000000000000000000000001n)).toBe("2001:db8::1");
  });
});
