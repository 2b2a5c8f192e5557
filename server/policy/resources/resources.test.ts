import { describe, expect, it } from "vitest";
import { parseResource, type TResource } from "./index";

type Obj = Record<string, unknown>;

function gnp(spec: Obj, name = "p"): Obj {
  return { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name }, spec };
}
function np(spec: Obj, name = "p", namespace: string | undefined = "prod"): Obj {
  return { apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name, ...(namespace ? { namespace } : {}) }, spec };
}

function ok(obj: unknown): TResource {
  const r = parseResource(obj);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

/** Asserts rejection and returns the issues as "path: message" strings. */
function errors(obj: unknown): string[] {
  const r = parseResource(obj);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

function expectIssue(obj: unknown, path: string, message: RegExp): void {
  const errs = errors(obj);
  const hit = errs.find((e) => e.startsWith(`${path}: `) && message.test(e.slice(path.length + 2)));
  expect(hit, `expected an issue at ${path} matching ${message}; got ${JSON.stringify(errs)}`).toBeDefined();
}

describe("kind and apiVersion", () => {
  it("rejects an unknown kind at path kind", () => {
    expectIssue({ apiVersion: "projectcalico.org/v3", kind: "NetworkPolicee", metadata: { name: "x" } }, "kind", /unknown kind "NetworkPolicee"/);
  });
  it("rejects a wrong apiVersion for a known kind", () => {
    expectIssue({ apiVersion: "projectcalico.org/v1", kind: "GlobalNetworkSet", metadata: { name: "x" } }, "apiVersion", /must be projectcalico.org\/v3/);
  });
  it("rejects unknown spec fields (typos) at their path", () => {
    expectIssue(gnp({ egress: [{ action: "Allow", destinaton: {} }] }), "spec.egress.0", /destinaton/);
  });
});

describe("defaulting", () => {
  it("defaults tier to default and types per §2.2", () => {
    const bare = ok(np({ selector: "a == 'b'" }));
    expect(bare.kind === "NetworkPolicy" && bare.spec.tier).toBe("default");
    expect(bare.kind === "NetworkPolicy" && bare.spec.types).toEqual(["Ingress"]);
    const egressOnly = ok(np({ egress: [{ action: "Allow" }] }));
    expect(egressOnly.kind === "NetworkPolicy" && egressOnly.spec.types).toEqual(["Egress"]);
    const both = ok(np({ ingress: [{ action: "Allow" }], egress: [{ action: "Allow" }] }));
    expect(both.kind === "NetworkPolicy" && both.spec.types).toEqual(["Ingress", "Egress"]);
    const explicit = ok(np({ types: ["Egress"], ingress: [{ action: "Allow" }] }));
    expect(explicit.kind === "NetworkPolicy" && explicit.spec.types).toEqual(["Egress"]);
  });
  it("defaults a namespaced resource's namespace to default", () => {
    const r = ok(np({}, "p", ""));
    expect(r.metadata.namespace).toBe("default");
  });
  it("rejects a namespace on cluster-scoped kinds", () => {
    expectIssue({ ...gnp({}), metadata: { name: "p", namespace: "x" } }, "metadata.namespace", /cluster-scoped/);
  });
});

describe("names", () => {
  it("accepts NP names with at most one dot and knp.default.*", () => {
    ok(np({}, "a.b"));
    ok(np({}, "knp.default.allow-web.v2"));
  });
  it("rejects NP names with two dots or upper case", () => {
    expectIssue(np({}, "a.b.c"), "metadata.name", /at most one dot/);
    expectIssue(np({}, "Web"), "metadata.name", /lower-case/);
  });
  it("rejects tier names with dots", () => {
    expectIssue({ apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "a.b" } }, "metadata.name", /DNS label/);
  });
  it("accepts dotted network set names (DNS subdomain)", () => {
    ok({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkSet", metadata: { name: "threat.feed-1" } });
  });
});

describe("labels (§1.5)", () => {
  const withLabels = (labels: Obj) => ({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkSet", metadata: { name: "s", labels } });
  it("accepts prefixed keys and empty values", () => {
    ok(withLabels({ "example.com/team": "", app: "a_b.c-d" }));
  });
  it("rejects bad keys and values at the key's path", () => {
    expectIssue(withLabels({ "-bad": "x" }), "metadata.labels.-bad", /must be alphanumerics/);
    expectIssue(withLabels({ "Ex.com/a": "x" }), "metadata.labels.Ex.com/a", /DNS subdomain/);
    expectIssue(withLabels({ a: "x".repeat(64) }), "metadata.labels.a", /longer than 63/);
    expectIssue(withLabels({ a: "has space" }), "metadata.labels.a", /must be alphanumerics/);
  });
  it("rejects projectcalico.org/namespace on network sets", () => {
    expectIssue(withLabels({ "projectcalico.org/namespace": "x" }), "metadata.labels.projectcalico.org/namespace", /may not set/);
  });
});

describe("selectors", () => {
  it("rejects invalid selectors with the parser's position", () => {
    expectIssue(np({ selector: "a = 'b'" }), "spec.selector", /invalid selector: .* at position \d+/);
  });
  it("rejects a newline in a selector (YAML | block)", () => {
    expectIssue(np({ selector: "a == 'b'\n" }), "spec.selector", /newline/);
  });
  it("rejects selectors over 1024 characters in spec.selector", () => {
    expectIssue(np({ selector: `a in {${Array.from({ length: 200 }, (_, i) => `"v${i}"`).join(",")}}` }), "spec.selector", /longer than 1024/);
  });
  it("allows global() only as the entire rule namespaceSelector", () => {
    ok(np({ ingress: [{ action: "Allow", source: { namespaceSelector: "global()" } }] }));
    ok(np({ ingress: [{ action: "Allow", source: { namespaceSelector: " global( ) " } }] }));
    expectIssue(np({ ingress: [{ action: "Allow", source: { namespaceSelector: "global() && a == 'b'" } }] }), "spec.ingress.0.source.namespaceSelector", /entire/);
    expectIssue(np({ ingress: [{ action: "Allow", source: { namespaceSelector: "!global()" } }] }), "spec.ingress.0.source.namespaceSelector", /entire/);
    expectIssue(np({ ingress: [{ action: "Allow", source: { selector: "global()" } }] }), "spec.ingress.0.source.selector", /only allowed/);
    expectIssue(gnp({ namespaceSelector: "a == 'global()'" }), "spec.namespaceSelector", /only allowed/);
    expectIssue(np({ serviceAccountSelector: "global()" }), "spec.serviceAccountSelector", /only allowed/);
  });
});

describe("rules", () => {
  const rule = (r: Obj, dir: "ingress" | "egress" = "ingress") => np({ [dir]: [r] });
  it("requires a valid action", () => {
    expectIssue(rule({}), "spec.ingress.0.action", /Allow, Deny, Log, Pass/);
    expectIssue(rule({ action: "allow" }), "spec.ingress.0.action", /Allow, Deny, Log, Pass/);
  });
  it("accepts protocol names in exact case and numbers 1-255", () => {
    ok(rule({ action: "Allow", protocol: "UDPLite", notProtocol: 255 }));
    expectIssue(rule({ action: "Allow", protocol: "tcp" }), "spec.ingress.0.protocol", /exact case/);
    expectIssue(rule({ action: "Allow", protocol: 0 }), "spec.ingress.0.protocol", /1-255/);
    expectIssue(rule({ action: "Allow", notProtocol: 256 }), "spec.ingress.0.notProtocol", /1-255/);
  });
  it("numeric ports need TCP/UDP/SCTP; named ports do not", () => {
    ok(rule({ action: "Allow", destination: { ports: ["http"] } }));
    ok(rule({ action: "Allow", protocol: "SCTP", destination: { ports: [80, "8000:8080", "metrics"] } }));
    expectIssue(rule({ action: "Allow", destination: { ports: [80] } }), "spec.ingress.0.destination.ports.0", /need protocol TCP, UDP or SCTP/);
    expectIssue(rule({ action: "Allow", protocol: "UDPLite", destination: { ports: [80] } }), "spec.ingress.0.destination.ports.0", /does not support ports/);
    expectIssue(rule({ action: "Allow", protocol: "ICMP", source: { notPorts: ["http"] } }), "spec.ingress.0.source.notPorts.0", /does not support ports/);
  });
  it("rejects malformed port items", () => {
    expectIssue(rule({ action: "Allow", protocol: "TCP", destination: { ports: ["90:80"] } }), "spec.ingress.0.destination.ports.0", /greater than the end/);
    expectIssue(rule({ action: "Allow", protocol: "TCP", destination: { ports: [70000] } }), "spec.ingress.0.destination.ports.0", /0-65535/);
    expectIssue(rule({ action: "Allow", protocol: "TCP", destination: { ports: ["a b"] } }), "spec.ingress.0.destination.ports.0", /named port/);
  });
  it("limits ports to 50 and nets to 256 and rules to 1024", () => {
    expectIssue(rule({ action: "Allow", protocol: "TCP", destination: { ports: Array.from({ length: 51 }, (_, i) => i + 1) } }), "spec.ingress.0.destination.ports", /at most 50/);
    expectIssue(rule({ action: "Allow", source: { nets: Array.from({ length: 257 }, (_, i) => `10.0.${i >> 8}.${i & 255}/32`) } }), "spec.ingress.0.source.nets", /at most 256/);
    expectIssue(np({ egress: Array.from({ length: 1025 }, () => ({ action: "Allow" })) }), "spec.egress", /at most 1024/);
  });
  it("requires strictly masked rule nets", () => {
    ok(rule({ action: "Allow", source: { nets: ["10.0.0.0/8", "10.1.2.3", "2001:db8::/32"].slice(0, 2) } }));
    expectIssue(rule({ action: "Allow", source: { nets: ["10.0.0.1/8"] } }), "spec.ingress.0.source.nets.0", /host bits/);
    expectIssue(rule({ action: "Allow", source: { notNets: ["10.0.0.1/8"] } }), "spec.ingress.0.source.notNets.0", /host bits/);
  });
  it("rejects mixed IP families across nets and notNets", () => {
    expectIssue(rule({ action: "Allow", source: { nets: ["10.0.0.0/8"] }, destination: { notNets: ["2001:db8::/32"] } }), "spec.ingress.0", /mix IPv4 and IPv6/);
  });
  it("rejects CIDRs of the other family than ipVersion", () => {
    expectIssue(rule({ action: "Allow", ipVersion: 6, source: { nets: ["10.0.0.0/8"] } }), "spec.ingress.0.source.nets.0", /ipVersion 6/);
  });
  it("rejects notNets 0.0.0.0/0 and ::/0", () => {
    expectIssue(rule({ action: "Allow", source: { notNets: ["0.0.0.0/0"] } }), "spec.ingress.0.source.notNets.0", /match nothing/);
    expectIssue(rule({ action: "Allow", source: { notNets: ["::/0"] } }), "spec.ingress.0.source.notNets.0", /match nothing/);
  });
  it("enforces icmp constraints", () => {
    ok(rule({ action: "Allow", protocol: "ICMP", icmp: { type: 8, code: 0 } }));
    ok(rule({ action: "Allow", protocol: "ICMPv6", ipVersion: 6, notICMP: { type: 128 } }));
    expectIssue(rule({ action: "Allow", protocol: "TCP", icmp: { type: 8 } }), "spec.ingress.0.icmp", /requires protocol ICMP/);
    expectIssue(rule({ action: "Allow", protocol: "ICMP", icmp: { code: 0 } }), "spec.ingress.0.icmp.code", /requires icmp type/);
    expectIssue(rule({ action: "Allow", protocol: "ICMP", icmp: { type: 255 } }), "spec.ingress.0.icmp.type", /0-254/);
    expectIssue(rule({ action: "Allow", protocol: "ICMP", ipVersion: 6, icmp: { type: 8 } }), "spec.ingress.0.protocol", /ipVersion 6/);
  });
  it("restricts domains to egress Allow destinations without nets/selector", () => {
    ok(rule({ action: "Allow", protocol: "TCP", destination: { domains: ["*.stripe.com", "api.example.com"], ports: [443] } }, "egress"));
    expectIssue(rule({ action: "Allow", destination: { domains: ["a.com"] } }, "ingress"), "spec.ingress.0.destination.domains", /only allowed in egress/);
    expectIssue(rule({ action: "Deny", destination: { domains: ["a.com"] } }, "egress"), "spec.egress.0.destination.domains", /only allowed with action Allow/);
    expectIssue(rule({ action: "Allow", source: { domains: ["a.com"] } }, "egress"), "spec.egress.0.source.domains", /destination of egress Allow/);
    expectIssue(rule({ action: "Allow", destination: { domains: ["a.com"], nets: ["1.2.3.0/24"] } }, "egress"), "spec.egress.0.destination.nets", /cannot be combined with domains/);
    expectIssue(rule({ action: "Allow", destination: { domains: ["a.com"], selector: "a == 'b'" } }, "egress"), "spec.egress.0.destination.selector", /cannot be combined with domains/);
  });
  it("validates domain syntax (§5)", () => {
    expectIssue(rule({ action: "Allow", destination: { domains: ["example.com."] } }, "egress"), "spec.egress.0.destination.domains.0", /trailing dot/);
    expectIssue(rule({ action: "Allow", destination: { domains: ["www.google.*"] } }, "egress"), "spec.egress.0.destination.domains.0", /invalid domain/);
    expectIssue(rule({ action: "Allow", destination: { domains: ["*.*.x.com"] } }, "egress"), "spec.egress.0.destination.domains.0", /at most one wildcard/);
  });
  it("restricts services to egress destinations / ingress sources, alone", () => {
    ok(rule({ action: "Allow", destination: { services: { name: "api", namespace: "x" } } }, "egress"));
    expectIssue(rule({ action: "Allow", destination: { services: { name: "api" } } }, "ingress"), "spec.ingress.0.destination.services", /source of ingress/);
    expectIssue(rule({ action: "Allow", destination: { services: { name: "api" }, selector: "a == 'b'" } }, "egress"), "spec.egress.0.destination.selector", /cannot be combined/);
    expectIssue(rule({ action: "Allow", protocol: "TCP", destination: { services: { name: "api" }, ports: [80] } }, "egress"), "spec.egress.0.destination.ports", /not allowed with services/);
  });
  it("restricts http matches to ingress Allow TCP rules", () => {
    ok(rule({ action: "Allow", protocol: "TCP", http: { methods: ["GET"], paths: [{ prefix: "/api" }] } }));
    expectIssue(rule({ action: "Allow", http: { methods: ["GET"] } }), "spec.ingress.0.http", /protocol TCP/);
    expectIssue(rule({ action: "Allow", protocol: "TCP", http: { paths: [{ exact: "/", prefix: "/" }] } }), "spec.ingress.0.http.paths.0", /exactly one/);
  });
  it("validates service account names in serviceAccounts", () => {
    expectIssue(rule({ action: "Allow", source: { serviceAccounts: { names: ["Bad_Name"] } } }), "spec.ingress.0.source.serviceAccounts.names.0", /DNS subdomain/);
  });
});

describe("policy spec", () => {
  it("validates types", () => {
    expectIssue(np({ types: ["Ingress", "Ingress"] }), "spec.types", /duplicates/);
    expectIssue(np({ types: ["ingress"] }), "spec.types.0", /Ingress or Egress/);
  });
  it("rejects namespaceSelector and host flags on NetworkPolicy", () => {
    expectIssue(np({ namespaceSelector: "all()" }), "spec", /namespaceSelector/);
  });
  it("checks GNP preDNAT / doNotTrack / applyOnForward", () => {
    ok(gnp({ preDNAT: true, applyOnForward: true, ingress: [{ action: "Deny" }] }));
    expectIssue(gnp({ doNotTrack: true }), "spec.applyOnForward", /must be true/);
    expectIssue(gnp({ preDNAT: true, applyOnForward: true, egress: [{ action: "Deny" }] }), "spec.egress", /preDNAT/);
    expectIssue(gnp({ preDNAT: true, doNotTrack: true, applyOnForward: true }), "spec.preDNAT", /doNotTrack/);
  });
  it("enforces staged Delete: only tier may be set", () => {
    const staged = (spec: Obj): Obj => ({ apiVersion: "projectcalico.org/v3", kind: "StagedNetworkPolicy", metadata: { name: "p", namespace: "x" }, spec });
    const del = ok(staged({ stagedAction: "Delete", tier: "security" }));
    expect(del.kind === "StagedNetworkPolicy" && del.spec.types).toEqual([]);
    expectIssue(staged({ stagedAction: "Delete", selector: "a == 'b'" }), "spec.selector", /stagedAction Delete/);
    expectIssue(staged({ stagedAction: "Remove" }), "spec.stagedAction", /Set, Delete, Learn or Ignore/);
  });
  it("checks built-in tiers", () => {
    expectIssue({ apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "default" }, spec: { defaultAction: "Pass" } }, "spec.defaultAction", /Deny/);
    expectIssue({ apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "kube-admin" }, spec: { order: 5 } }, "spec.order", /1000/);
  });
});

describe("network sets", () => {
  const set = (spec: Obj, kind = "GlobalNetworkSet"): Obj => ({ apiVersion: "projectcalico.org/v3", kind, metadata: { name: "s", ...(kind === "NetworkSet" ? { namespace: "n" } : {}) }, spec });
  it("accepts host bits and bare IPs in nets, and allowedEgressDomains", () => {
    ok(set({ nets: ["10.0.0.1/8", "192.0.2.1", "2001:db8::1/64"], allowedEgressDomains: ["*.amazonaws.com"] }));
    ok(set({ nets: ["10.0.0.0/8"] }, "NetworkSet"));
  });
  it("rejects invalid nets and domains at their index", () => {
    expectIssue(set({ nets: ["10.0.0.0/8", "10.0.0/8"] }), "spec.nets.1", /invalid CIDR "10.0.0\/8"/);
    expectIssue(set({ allowedEgressDomains: ["ok.com", "*"] }), "spec.allowedEgressDomains.1", /invalid domain/);
  });
});

describe("egress kinds", () => {
  const pool = (spec: Obj): Obj => ({ apiVersion: "portcullis.dev/v1", kind: "EgressIPPool", metadata: { name: "egress-a" }, spec });
  const assignment = (spec: Obj): Obj => ({ apiVersion: "portcullis.dev/v1", kind: "EgressAssignment", metadata: { name: "shop", namespace: "shop" }, spec });
  it("validates EgressIPPool", () => {
    ok(pool({ cidrs: ["203.0.113.0/28"], exclude: ["203.0.113.0", "203.0.113.8/30"], gatewayNodeSelector: "egress == 'true'" }));
    expectIssue(pool({ cidrs: [] }), "spec.cidrs", /at least one/);
    expectIssue(pool({ cidrs: ["203.0.113.1/28"] }), "spec.cidrs.0", /host bits/);
    expectIssue(pool({ cidrs: ["203.0.113.0/28"], exclude: ["198.51.100.1"] }), "spec.exclude.0", /not inside/);
    expectIssue(pool({ cidrs: ["203.0.113.0/28"], gatewayNodeSelector: "a =" }), "spec.gatewayNodeSelector", /invalid selector/);
    expectIssue(pool({ cidrs: ["203.0.113.0/28", "2001:db8::/64"] }), "spec.cidrs.1", /IPv4 only/);
  });
  it("validates EgressAssignment", () => {
    ok(assignment({ pool: "egress-a" }));
    ok(assignment({ pool: "egress-a", ip: "203.0.113.5", podSelector: "app == 'x'", destinations: { nets: ["198.51.100.0/24"], networkSetSelector: "role == 'partner'" } }));
    expectIssue(assignment({}), "spec.pool", /required/);
    expectIssue(assignment({ pool: "egress-a", ip: "203.0.113.0/28" }), "spec.ip", /single IP/);
    expectIssue(assignment({ pool: "egress-a", ip: "2001:db8::5" }), "spec.ip", /IPv4 only/);
    expectIssue(assignment({ pool: "egress-a", destinations: {} }), "spec.destinations", /nets and\/or networkSetSelector/);
  });
});
