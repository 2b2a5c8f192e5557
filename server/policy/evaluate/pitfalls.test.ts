/**
 * One describe per item of the reference's pitfalls checklist (§7), each
 * asserting behaviour through schemas, effective selectors or evaluateFlow.
 */
import { describe, expect, it } from "vitest";
import { policySelectorFor } from "../effective";
import { parseResource } from "../resources/index";
import { parseSelector } from "../selector/index";
import { parseResourcesYaml } from "../yaml";
import { flow, namespace, pod, world } from "./test-support";

const NS = [namespace("prod", { env: "prod" }), namespace("dev", { env: "dev" })];

/** A prod/target pod whose ingress only admits sources matching `selector` (GNP rule, so no namespace scoping). */
function ingressOnlyFrom(selector: string, sources: ReturnType<typeof pod>[]) {
  return world(
    `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: gate }
spec:
  selector: app == "target"
  ingress: [{ action: Allow, source: { selector: ${JSON.stringify(selector)} } }]
`,
    [pod("prod/target", { labels: { app: "target" }, ip: "10.0.0.100" }), ...sources],
    NS,
  );
}

function selectorProblem(selector: string): string | undefined {
  const r = parseResource({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "p" }, spec: { selector } });
  return r.ok ? undefined : r.issues.map((i) => i.message).join("; ");
}

describe("pitfall 1: negative operators are true when the key is absent", () => {
  const sources = [pod("prod/nolabel", { ip: "10.0.0.1" }), pod("prod/blocked", { labels: { role: "blocked" }, ip: "10.0.0.2" })];
  it("!= / not in / !has / !(k == v) admit a source without the key", () => {
    for (const sel of ['role != "blocked"', 'role not in {"blocked"}', "!has(role)", '!(role == "blocked")']) {
      const w = ingressOnlyFrom(sel, sources);
      expect(flow(w, "prod/nolabel", "prod/target", "TCP", 80).action, sel).toBe("Allow");
      expect(flow(w, "prod/blocked", "prod/target", "TCP", 80).action, sel).toBe("Deny");
    }
  });
  it("== / in / contains / starts with / ends with reject a source without the key", () => {
    for (const sel of ['role == ""', 'role in {""}', 'role contains ""', 'role starts with ""', 'role ends with ""']) {
      const w = ingressOnlyFrom(sel, sources);
      expect(flow(w, "prod/nolabel", "prod/target", "TCP", 80).action, sel).toBe("Deny");
      expect(flow(w, "prod/blocked", "prod/target", "TCP", 80).action, sel).toBe(sel === 'role == ""' || sel === 'role in {""}' ? "Deny" : "Allow");
    }
  });
});

describe("pitfall 2: only space and tab are whitespace", () => {
  it("a YAML | block (trailing newline) makes the selector invalid, reported at its line", () => {
    const r = parseResourcesYaml(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: p }
spec:
  selector: |
    app == "web"
`);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ line: 5, path: "spec.selector" });
    expect(r.issues[0]!.message).toMatch(/newline/);
  });
  it("tabs are fine, a CR is not", () => {
    expect(selectorProblem('app\t==\t"web"')).toBeUndefined();
    expect(selectorProblem('app == "web"\r')).toMatch(/invalid selector/);
  });
});

describe("pitfall 3: no escapes in string literals; canonical quoting", () => {
  it("a backslash is an ordinary character and both quote styles work", () => {
    expect(parseSelector('a == "x\\"').matches({ a: "x\\" })).toBe(true);
    expect(parseSelector("a == 'say \"hi\"'").matches({ a: 'say "hi"' })).toBe(true);
  });
  it("canonical output double-quotes unless the value contains a double quote", () => {
    expect(policySelectorFor({ kind: "GlobalNetworkPolicy", metadata: { name: "p" }, spec: { selector: "a == 'x'" } }).toString()).toBe('a == "x"');
    expect(parseSelector("a == 'x\"y'").toString()).toBe("a == 'x\"y'");
  });
});

describe("pitfall 4: empty sets and trailing commas", () => {
  it("`in {}` is legal and selects nothing, so the policy applies to no pod", () => {
    const w = world(
      `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: nobody }
spec: { selector: "app in {}", types: [Egress] }
`,
      [pod("prod/a", { labels: { app: "" }, ip: "10.0.0.1" })],
      NS,
    );
    expect(flow(w, "prod/a", "1.1.1.1", "TCP", 443).egress?.decidedBy.kind).toBe("no-policy");
  });
  it("a trailing comma is accepted; sets are byte-sorted and de-duplicated", () => {
    expect(selectorProblem('a in {"b", "a", "b",}')).toBeUndefined();
    expect(parseSelector('a in {"b", "a", "B", "b",}').toString()).toBe('a in {"B", "a", "b"}');
  });
});

describe("pitfall 5: ! binds to one operation; && binds tighter than ||", () => {
  const sources = [
    pod("prod/only-b", { labels: { b: "y" }, ip: "10.0.0.1" }),
    pod("prod/a-and-b", { labels: { a: "x", b: "y" }, ip: "10.0.0.2" }),
    pod("prod/only-c", { labels: { c: "3" }, ip: "10.0.0.3" }),
  ];
  it('!a == "x" && b == "y" means (!a == "x") && b == "y"', () => {
    const w = ingressOnlyFrom('!a == "x" && b == "y"', sources);
    expect(flow(w, "prod/only-b", "prod/target", "TCP", 80).action).toBe("Allow");
    expect(flow(w, "prod/a-and-b", "prod/target", "TCP", 80).action).toBe("Deny");
  });
  it('a == "x" || b == "y" && c == "3" is a || (b && c)', () => {
    const w = ingressOnlyFrom('a == "x" || b == "y" && c == "3"', sources);
    expect(flow(w, "prod/a-and-b", "prod/target", "TCP", 80).action).toBe("Allow");
    expect(flow(w, "prod/only-b", "prod/target", "TCP", 80).action).toBe("Deny");
    expect(flow(w, "prod/only-c", "prod/target", "TCP", 80).action).toBe("Deny");
  });
});

describe("pitfall 6: keywords are operators only after a label", () => {
  it("has (a) is rejected, startswith / notin accepted, `in` can be a label", () => {
    expect(selectorProblem("has (a)")).toMatch(/invalid selector/);
    expect(selectorProblem('a startswith "x" && b notin {"y"}')).toBeUndefined();
    const w = ingressOnlyFrom('in == "x"', [pod("prod/kw", { labels: { in: "x" }, ip: "10.0.0.1" })]);
    expect(flow(w, "prod/kw", "prod/target", "TCP", 80).action).toBe("Allow");
  });
});

describe("pitfall 7: an empty label value is present", () => {
  it('has(k) and k == "" match k: ""', () => {
    const sources = [pod("prod/empty", { labels: { canary: "" }, ip: "10.0.0.1" }), pod("prod/none", { ip: "10.0.0.2" })];
    for (const sel of ["has(canary)", 'canary == ""']) {
      const w = ingressOnlyFrom(sel, sources);
      expect(flow(w, "prod/empty", "prod/target", "TCP", 80).action, sel).toBe("Allow");
      expect(flow(w, "prod/none", "prod/target", "TCP", 80).action, sel).toBe("Deny");
    }
  });
});

describe("pitfall 8: what NP rule selectors range over", () => {
  const SETS = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: g, labels: { kind: net } }
spec: { nets: [192.0.2.0/24] }
---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: { name: n, namespace: dev, labels: { kind: net } }
spec: { nets: [198.51.100.0/24] }
---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: { name: local, namespace: prod, labels: { kind: net } }
spec: { nets: [203.0.113.0/24] }
`;
  const PODS = [pod("prod/src", { labels: { app: "src" }, ip: "10.0.0.1" }), pod("prod/peer", { ip: "10.0.0.2" }), pod("dev/peer", { ip: "10.0.1.2" })];
  function egressTo(destination: string) {
    return world(
      `${SETS}---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: prod }
spec: { selector: app == "src", types: [Egress], egress: [{ action: Allow, destination: ${destination} }] }
`,
      PODS,
      NS,
    );
  }
  const reach = (w: ReturnType<typeof egressTo>, to: string) => flow(w, "prod/src", to, "TCP", 443).action;
  it("no selector fields: any IP, including outside the cluster", () => {
    const w = egressTo("{}");
    expect(reach(w, "8.8.8.8")).toBe("Allow");
    expect(reach(w, "dev/peer")).toBe("Allow");
  });
  it("selector: all() matches only the namespace's endpoints and network sets", () => {
    const w = egressTo("{ selector: all() }");
    expect(reach(w, "prod/peer")).toBe("Allow");
    expect(reach(w, "203.0.113.5")).toBe("Allow");
    expect(reach(w, "dev/peer")).toBe("Deny");
    expect(reach(w, "198.51.100.5")).toBe("Deny");
    expect(reach(w, "192.0.2.5")).toBe("Deny");
    expect(reach(w, "8.8.8.8")).toBe("Deny");
  });
  it("namespaceSelector: all() matches every namespaced endpoint and network set", () => {
    const w = egressTo("{ namespaceSelector: all() }");
    expect(reach(w, "dev/peer")).toBe("Allow");
    expect(reach(w, "198.51.100.5")).toBe("Allow");
    expect(reach(w, "192.0.2.5")).toBe("Deny");
    expect(reach(w, "8.8.8.8")).toBe("Deny");
  });
  it("namespaceSelector: global() matches GlobalNetworkSets only", () => {
    const w = egressTo("{ namespaceSelector: global() }");
    expect(reach(w, "192.0.2.5")).toBe("Allow");
    expect(reach(w, "198.51.100.5")).toBe("Deny");
    expect(reach(w, "prod/peer")).toBe("Deny");
  });
});

describe("pitfall 9: notSelector is never namespace-scoped", () => {
  const PODS = [
    pod("prod/dst", { labels: { app: "dst" }, ip: "10.0.0.1" }),
    pod("prod/ok", { ip: "10.0.0.2" }),
    pod("prod/bad", { labels: { bad: "true" }, ip: "10.0.0.3" }),
    pod("dev/bad", { labels: { bad: "true" }, ip: "10.0.1.3" }),
    pod("dev/ok", { ip: "10.0.1.2" }),
  ];
  it("in an NP it excludes matches in any namespace and scopes the positive side to the policy's namespace", () => {
    const w = world(
      `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: prod }
spec: { selector: app == "dst", ingress: [{ action: Allow, source: { notSelector: bad == "true" } }] }
`,
      PODS,
      NS,
    );
    expect(flow(w, "prod/ok", "prod/dst", "TCP", 80).action).toBe("Allow");
    expect(flow(w, "prod/bad", "prod/dst", "TCP", 80).action).toBe("Deny");
    expect(flow(w, "dev/ok", "prod/dst", "TCP", 80).action).toBe("Deny"); // positive side is prod only
    expect(flow(w, "8.8.8.8", "prod/dst", "TCP", 80).action).toBe("Deny");
  });
  it("in a GNP it also matches IPs outside the cluster", () => {
    const w = world(
      `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: p }
spec: { selector: app == "dst", ingress: [{ action: Allow, source: { notSelector: bad == "true" } }] }
`,
      PODS,
      NS,
    );
    expect(flow(w, "8.8.8.8", "prod/dst", "TCP", 80).action).toBe("Allow");
    expect(flow(w, "dev/ok", "prod/dst", "TCP", 80).action).toBe("Allow");
    expect(flow(w, "dev/bad", "prod/dst", "TCP", 80).action).toBe("Deny");
  });
});

describe("pitfall 10: a GNP selector all() selects host endpoints too", () => {
  it("the GNP effective selector is unscoped; the NP one needs the namespace label", () => {
    const hostEndpointLabels = { "kubernetes.io/hostname": "node-a" };
    expect(policySelectorFor({ kind: "GlobalNetworkPolicy", metadata: { name: "p" }, spec: { selector: "all()" } }).matches(hostEndpointLabels)).toBe(true);
    expect(policySelectorFor({ kind: "NetworkPolicy", metadata: { name: "p", namespace: "prod" }, spec: { selector: "all()" } }).matches(hostEndpointLabels)).toBe(false);
  });
  it("and it selects pods in every namespace", () => {
    const w = world(
      `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: all }
spec: { selector: all(), types: [Egress] }
`,
      [pod("prod/a", { ip: "10.0.0.1" }), pod("dev/b", { ip: "10.0.1.1" })],
      NS,
    );
    expect(flow(w, "prod/a", "1.1.1.1", "TCP", 1).action).toBe("Deny");
    expect(flow(w, "dev/b", "1.1.1.1", "TCP", 1).action).toBe("Deny");
  });
});

describe("pitfall 11: omitted types with no rules is ingress-only; end of its tier denies", () => {
  const w = world(
    `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 10 }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: isolate }
spec: { tier: security, selector: app == "db" }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: allow-all, namespace: prod }
spec: { ingress: [{ action: Allow }], egress: [{ action: Allow }] }
`,
    [pod("prod/db", { labels: { app: "db" }, ip: "10.0.0.1" }), pod("prod/web", { ip: "10.0.0.2" })],
    NS,
  );
  it("denies ingress at the end of the security tier although the default tier would allow", () => {
    const r = flow(w, "prod/web", "prod/db", "TCP", 5432);
    expect(r.ingress?.decidedBy).toMatchObject({ kind: "end-of-tier", tier: "security" });
    expect(r.action).toBe("Deny");
  });
  it("leaves egress alone", () => {
    const r = flow(w, "prod/db", "prod/web", "TCP", 80);
    expect(r.egress?.verdict).toBe("Allow");
    expect(r.egress?.decidedBy).toMatchObject({ kind: "rule", tier: "default" });
  });
});

describe("pitfall 12: Allow is final, Pass skips, falling off the last tier reaches the profile", () => {
  const w = world(
    `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: first }
spec: { order: 1 }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: first }
spec:
  tier: first
  selector: all()
  types: [Egress]
  egress:
    - { action: Allow, protocol: TCP, destination: { ports: [443] } }
    - { action: Pass }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: default-deny }
spec: { selector: app == "locked", types: [Egress], egress: [{ action: Pass, protocol: UDP }] }
`,
    [pod("prod/locked", { labels: { app: "locked" }, ip: "10.0.0.1" }), pod("prod/free", { ip: "10.0.0.2" })],
    NS,
  );
  it("Allow in the first tier is final", () => {
    expect(flow(w, "prod/locked", "1.1.1.1", "TCP", 443).action).toBe("Allow");
  });
  it("Pass reaches the next tier, whose end-of-tier drop applies", () => {
    const r = flow(w, "prod/locked", "1.1.1.1", "TCP", 80);
    expect(r.action).toBe("Deny");
    expect(r.egress?.decidedBy).toMatchObject({ kind: "end-of-tier", tier: "default" });
  });
  it("Pass out of the last applicable tier falls through to the profile: allow", () => {
    expect(flow(w, "prod/locked", "1.1.1.1", "UDP", 53).egress?.decidedBy.kind).toBe("profile");
    expect(flow(w, "prod/free", "1.1.1.1", "TCP", 80).egress?.decidedBy.kind).toBe("profile");
  });
});

describe("pitfall 13: ordering", () => {
  it("a tier with no order runs after default", () => {
    const w = world(
      `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: aaa-late }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: late-allow }
spec: { tier: aaa-late, selector: all(), types: [Egress], egress: [{ action: Allow }] }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: deny }
spec: { selector: all(), types: [Egress], egress: [{ action: Deny }] }
`,
      [pod("prod/a", { ip: "10.0.0.1" })],
      NS,
    );
    expect(w.tiers.map((t) => t.name)).toEqual(["kube-admin", "default", "kube-baseline", "aaa-late"]);
    expect(flow(w, "prod/a", "1.1.1.1", "TCP", 1).action).toBe("Deny");
  });
  it("policy ties break on name/namespace/kind, so NP and GNP interleave by name", () => {
    const w = world(
      `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: b-deny }
spec: { order: 5, selector: all(), types: [Egress], egress: [{ action: Deny }] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: a-allow, namespace: prod }
spec: { order: 5, types: [Egress], egress: [{ action: Allow }] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: c-allow, namespace: dev }
spec: { order: 5, types: [Egress], egress: [{ action: Allow }] }
`,
      [pod("prod/a", { ip: "10.0.0.1" }), pod("dev/b", { ip: "10.0.1.1" })],
      NS,
    );
    expect(flow(w, "prod/a", "1.1.1.1", "TCP", 1).action).toBe("Allow");
    expect(flow(w, "dev/b", "1.1.1.1", "TCP", 1).action).toBe("Deny");
  });
  it("nil order sorts after every numeric order", () => {
    const w = world(
      `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: a-no-order, namespace: prod }
spec: { types: [Egress], egress: [{ action: Deny }] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: z-ordered, namespace: prod }
spec: { order: 1e9, types: [Egress], egress: [{ action: Allow }] }
`,
      [pod("prod/a", { ip: "10.0.0.1" })],
      NS,
    );
    expect(flow(w, "prod/a", "1.1.1.1", "TCP", 1).action).toBe("Allow");
  });
  it("a Kubernetes NetworkPolicy sits at order 1000 in the default tier", () => {
    const w = world(
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-egress, namespace: prod }
spec: { podSelector: {}, policyTypes: [Egress] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: before, namespace: prod }
spec: { order: 999, types: [Egress], egress: [{ action: Allow, protocol: UDP }] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: after, namespace: prod }
spec: { order: 1001, types: [Egress], egress: [{ action: Allow }] }
`,
      [pod("prod/a", { ip: "10.0.0.1" })],
      NS,
    );
    expect(flow(w, "prod/a", "1.1.1.1", "UDP", 53).action).toBe("Allow");
    const tcp = flow(w, "prod/a", "1.1.1.1", "TCP", 80);
    expect(tcp.action).toBe("Allow"); // the KNP has no egress rules: evaluation continues to "after"
    expect(tcp.egress?.decidedBy).toMatchObject({ kind: "rule", policy: { name: "after" } });
    expect(w.policies.find((p) => p.ref.name === "knp.default.deny-egress")?.order).toBe(1000);
  });
});

describe("pitfall 14: a rule whose nets are all of the other family is skipped", () => {
  const w = world(
    `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: p }
spec:
  selector: all()
  types: [Egress]
  egress:
    - { action: Allow, destination: { nets: ["2001:db8::/32"] } }
    - { action: Allow, destination: { notNets: ["2001:db8::/32"] } }
    - { action: Deny }
`,
    [pod("prod/a", { ip: ["10.0.0.1", "2001:db8:ffff::1"] })],
    NS,
  );
  it("IPv6-only nets and notNets do not match IPv4 traffic", () => {
    const r = flow(w, "prod/a", "8.8.8.8", "TCP", 53);
    expect(r.action).toBe("Deny");
    expect(r.egress?.decidedBy).toMatchObject({ kind: "rule", ruleIndex: 2 });
  });
  it("they do apply to IPv6 traffic", () => {
    expect(flow(w, "prod/a", "2001:db8::53", "TCP", 53).egress?.decidedBy).toMatchObject({ ruleIndex: 0 });
    expect(flow(w, "prod/a", "2001:4860::8888", "TCP", 53).egress?.decidedBy).toMatchObject({ ruleIndex: 1 });
  });
});

describe("pitfall 15: DNS wildcards", () => {
  const w = world(
    `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: p }
spec:
  selector: all()
  types: [Egress]
  egress: [{ action: Allow, destination: { domains: ["*.google.com", "update.*.tigera.io"] } }]
`,
    [pod("prod/a", { ip: "10.0.0.1" })],
    NS,
  );
  const to = (domain: string) => flow(w, "prod/a", "142.250.0.1", "TCP", 443, { domain }).action;
  it("* matches one or more whole labels, never the bare parent; case-insensitive", () => {
    expect(to("www.google.com")).toBe("Allow");
    expect(to("a.b.google.com")).toBe("Allow");
    expect(to("WWW.Google.COM")).toBe("Allow");
    expect(to("google.com")).toBe("Deny");
    expect(to("ipv6google.com")).toBe("Deny");
    expect(to("update.x.y.tigera.io")).toBe("Allow");
    expect(to("update.tigera.io")).toBe("Deny");
  });
  it("a trailing dot, x.* and multiple * are rejected", () => {
    for (const bad of ["google.com.", "www.google.*", "*.*.google.com", "*"]) {
      const r = parseResource({
        apiVersion: "projectcalico.org/v3",
        kind: "GlobalNetworkPolicy",
        metadata: { name: "p" },
        spec: { egress: [{ action: "Allow", destination: { domains: [bad] } }] },
      });
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.issues[0]!.path).toEqual(["spec", "egress", 0, "destination", "domains", 0]);
    }
  });
});
