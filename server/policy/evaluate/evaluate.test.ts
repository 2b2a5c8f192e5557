import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { evaluateFlow, FlowError, snapshotFromYaml } from "../evaluate";
import { YamlResourceError } from "../yaml";
import { flow, namespace, pod, world } from "./test-support";

const PODS = [
  pod("prod/web", { labels: { app: "web" }, ip: "10.0.0.1", ports: [{ name: "http", port: 8080 }] }),
  pod("prod/db", { labels: { app: "db" }, ip: "10.0.0.2", ports: [{ name: "pg", port: 5432 }, { name: "metrics", port: 9100, protocol: "UDP" }] }),
  pod("dev/web", { labels: { app: "web" }, ip: "10.0.1.1" }),
];
const NS = [namespace("prod", { env: "prod" }), namespace("dev", { env: "dev" })];

describe("no policy and pod-to-pod", () => {
  it("allows when no policy selects either pod, naming that in the trace", () => {
    const r = flow(world("", PODS, NS), "prod/web", "prod/db", "TCP", 5432);
    expect(r.action).toBe("Allow");
    expect(r.egress?.decidedBy.kind).toBe("no-policy");
    expect(r.egress?.decidedBy.message).toMatch(/no policy selects the pod/);
    expect(r.ingress?.decidedBy.kind).toBe("no-policy");
  });

  it("needs the source's egress and the destination's ingress to allow", () => {
    const w = world(
      `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: lock-db, namespace: prod }
spec:
  selector: app == "db"
  ingress:
    - action: Allow
      protocol: TCP
      source: { selector: app == "web" }
`,
      PODS,
      NS,
    );
    expect(flow(w, "prod/web", "prod/db", "TCP", 5432).action).toBe("Allow");
    const fromDev = flow(w, "dev/web", "prod/db", "TCP", 5432);
    expect(fromDev.action).toBe("Deny");
    expect(fromDev.egress?.verdict).toBe("Allow");
    expect(fromDev.ingress?.verdict).toBe("Deny");
    expect(fromDev.ingress?.decidedBy).toMatchObject({ kind: "end-of-tier", tier: "default", action: "Deny" });
    expect(fromDev.ingress?.decidedBy.message).toMatch(/^end of tier default/);
  });

  it("resolves an IP that belongs to a pod to that pod", () => {
    const w = world("", PODS, NS);
    const r = flow(w, "10.0.0.1", "10.0.0.2", "TCP", 1);
    expect(r.source.pod).toBe("prod/web");
    expect(r.egress?.endpoint).toBe("prod/web");
    expect(r.ingress?.endpoint).toBe("prod/db");
  });

  it("throws FlowError for unknown pods and bad IPs", () => {
    const w = world("", PODS, NS);
    expect(() => flow(w, "prod/nope", "prod/db")).toThrow(FlowError);
    expect(() => flow(w, "prod/web", "300.1.1.1")).toThrow(/not an IP address/);
  });
});

const TIERS = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 100 }
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: platform }
spec: { order: 200, defaultAction: Pass }
`;

describe("tiers, Pass, Log, end of tier", () => {
  it("Allow in an earlier tier is final even if a later tier denies", () => {
    const w = world(
      `${TIERS}---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: allow-all }
spec: { tier: security, selector: all(), types: [Egress], egress: [{ action: Allow }] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: deny-all, namespace: prod }
spec: { types: [Egress], egress: [{ action: Deny }] }
`,
      PODS,
      NS,
    );
    const r = flow(w, "prod/web", "1.2.3.4", "TCP", 443);
    expect(r.action).toBe("Allow");
    expect(r.egress?.decidedBy).toMatchObject({ kind: "rule", tier: "security", policy: { name: "allow-all" }, ruleIndex: 0 });
    expect(r.egress?.trace).toHaveLength(1);
  });

  it("Pass skips the rest of the tier; Log is traced and evaluation continues", () => {
    const w = world(
      `${TIERS}---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: a-pass }
spec:
  tier: security
  order: 1
  selector: all()
  types: [Egress]
  egress: [{ action: Log }, { action: Pass }]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: b-deny }
spec: { tier: security, order: 2, selector: all(), types: [Egress], egress: [{ action: Deny }] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: allow, namespace: prod }
spec: { types: [Egress], egress: [{ action: Allow }] }
`,
      PODS,
      NS,
    );
    const r = flow(w, "prod/web", "1.2.3.4", "TCP", 443);
    expect(r.action).toBe("Allow");
    expect(r.egress?.trace.map((s) => (s.kind === "rule" ? `${s.policy.name}#${s.ruleIndex}:${s.action}` : s.kind))).toEqual([
      "a-pass#0:Log",
      "a-pass#1:Pass",
      "allow#0:Allow",
    ]);
    expect(r.egress?.trace[1]?.message).toMatch(/passed to next tier/);
    // dev/web has no default-tier policy: the Pass out of the last applicable tier reaches the profile.
    const dev = flow(w, "dev/web", "1.2.3.4", "TCP", 443);
    expect(dev.action).toBe("Allow");
    expect(dev.egress?.decidedBy.kind).toBe("profile");
  });

  it("end of tier denies when a policy selects the pod and no rule matches", () => {
    const w = world(
      `${TIERS}---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: only-dns }
spec:
  tier: security
  selector: app == "web"
  types: [Egress]
  egress: [{ action: Allow, protocol: UDP, destination: { ports: [53] } }]
`,
      PODS,
      NS,
    );
    expect(flow(w, "prod/web", "8.8.8.8", "UDP", 53).action).toBe("Allow");
    const r = flow(w, "prod/web", "8.8.8.8", "TCP", 443);
    expect(r.action).toBe("Deny");
    expect(r.egress?.decidedBy).toMatchObject({ kind: "end-of-tier", tier: "security" });
    expect(flow(w, "prod/db", "8.8.8.8", "TCP", 443).action).toBe("Allow");
  });

  it("a tier with defaultAction Pass passes instead of denying", () => {
    const w = world(
      `${TIERS}---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: nothing-matches }
spec:
  tier: platform
  selector: all()
  types: [Egress]
  egress: [{ action: Deny, protocol: UDP }]
`,
      PODS,
      NS,
    );
    const r = flow(w, "prod/web", "8.8.8.8", "TCP", 443);
    expect(r.action).toBe("Allow");
    expect(r.egress?.trace[0]).toMatchObject({ kind: "end-of-tier", tier: "platform", action: "Pass" });
    expect(r.egress?.decidedBy.kind).toBe("profile");
  });

  it("built-in kube-admin tier passes by default and runs before default", () => {
    const w = world(
      `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: admin }
spec: { tier: kube-admin, selector: all(), types: [Egress], egress: [{ action: Deny, protocol: UDP }] }
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: kube-admin }
`,
      PODS,
      NS,
    );
    expect(w.tiers.map((t) => t.name).slice(0, 3)).toEqual(["kube-admin", "default", "kube-baseline"]);
    expect(flow(w, "prod/web", "8.8.8.8", "TCP", 443).action).toBe("Allow");
    expect(flow(w, "prod/web", "8.8.8.8", "UDP", 53).action).toBe("Deny");
  });

  it("types limits the directions a policy applies to", () => {
    const w = world(
      `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: ingress-only, namespace: prod }
spec:
  selector: app == "web"
  types: [Ingress]
  egress: [{ action: Deny }]
`,
      PODS,
      NS,
    );
    const r = flow(w, "prod/web", "8.8.8.8", "TCP", 443);
    expect(r.action).toBe("Allow");
    expect(r.egress?.decidedBy.kind).toBe("no-policy");
  });
});

describe("staged policies (§3.3)", () => {
  const ENFORCED = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  selector: app == "web"
  ingress: [{ action: Allow }]
`;
  it("never decide, but report the verdict they would give", () => {
    const w = world(
      `${ENFORCED}---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  selector: app == "web"
  ingress: [{ action: Allow, source: { nets: [10.0.0.0/8] } }]
`,
      PODS,
      NS,
    );
    const outside = flow(w, "8.8.8.8", "prod/web", "TCP", 8080);
    expect(outside.action).toBe("Allow");
    expect(outside.ingress?.staged).toMatchObject({ verdict: "Deny", changed: true });
    expect(outside.stagedAction).toBe("Deny");
    expect(outside.ingress?.trace.at(-1)).toMatchObject({ kind: "staged", verdict: "Deny" });
    expect(outside.ingress?.trace.at(-1)?.message).toMatch(/^staged policy would deny/);
    const inside = flow(w, "prod/db", "prod/web", "TCP", 8080);
    expect(inside.ingress?.staged).toMatchObject({ verdict: "Allow", changed: false });
  });

  it("a tier with only staged policies gets no end-of-tier drop", () => {
    const w = world(
      `apiVersion: projectcalico.org/v3
kind: StagedGlobalNetworkPolicy
metadata: { name: lockdown }
spec: { selector: all(), types: [Egress] }
`,
      PODS,
      NS,
    );
    const r = flow(w, "prod/web", "8.8.8.8", "TCP", 443);
    expect(r.action).toBe("Allow");
    expect(r.egress?.decidedBy.kind).toBe("no-policy");
    expect(r.egress?.staged?.verdict).toBe("Deny");
  });

  it("a staged Delete removes the enforced policy in the preview", () => {
    const w = world(
      `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: deny, namespace: prod }
spec: { selector: app == "web", types: [Egress], egress: [{ action: Deny }] }
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: deny, namespace: prod }
spec: { stagedAction: Delete }
`,
      PODS,
      NS,
    );
    const r = flow(w, "prod/web", "8.8.8.8", "TCP", 443);
    expect(r.action).toBe("Deny");
    expect(r.egress?.staged).toMatchObject({ verdict: "Allow", changed: true });
    expect(r.stagedAction).toBe("Allow");
  });
});

describe("ports, protocols, ICMP", () => {
  const w = world(
    `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: db, namespace: prod }
spec:
  selector: app == "db"
  ingress:
    - action: Allow
      destination: { ports: [metrics] }
    - action: Allow
      protocol: TCP
      destination: { ports: ["5000:5432"], notPorts: [5001] }
    - action: Allow
      protocol: ICMP
      icmp: { type: 8 }
    - action: Allow
      protocol: UDP
      source: { ports: [7] }
`,
    PODS,
    NS,
  );
  it("named ports resolve against the destination pod's container ports with protocol", () => {
    expect(flow(w, "prod/web", "prod/db", "UDP", 9100).action).toBe("Allow");
    expect(flow(w, "prod/web", "prod/db", "TCP", 9100).action).toBe("Deny"); // metrics is a UDP port
    expect(flow(w, "prod/web", "prod/db", "UDP", 9101).action).toBe("Deny");
  });
  it("ranges and notPorts", () => {
    expect(flow(w, "prod/web", "prod/db", "TCP", 5432).action).toBe("Allow");
    expect(flow(w, "prod/web", "prod/db", "TCP", 5001).action).toBe("Deny");
    expect(flow(w, "prod/web", "prod/db", "TCP", 5433).action).toBe("Deny");
  });
  it("icmp type", () => {
    expect(flow(w, "prod/web", "prod/db", "ICMP", undefined, { icmp: { type: 8, code: 0 } }).action).toBe("Allow");
    expect(flow(w, "prod/web", "prod/db", "ICMP", undefined, { icmp: { type: 0 } }).action).toBe("Deny");
  });
  it("source ports (an unknown source port never matches)", () => {
    expect(flow(w, "prod/web", "prod/db", "UDP", 1, { sourcePort: 7 }).action).toBe("Allow");
    expect(flow(w, "prod/web", "prod/db", "UDP", 1).action).toBe("Deny");
    expect(flow(w, "prod/web", "prod/db", "TCP", 1, { sourcePort: 7 }).action).toBe("Deny");
  });
  it("notProtocol", () => {
    const n = world(
      `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: only-udp, namespace: prod }
spec: { selector: app == "db", ingress: [{ action: Deny, notProtocol: UDP }, { action: Allow }] }
`,
      PODS,
      NS,
    );
    expect(flow(n, "prod/web", "prod/db", "TCP", 5432).action).toBe("Deny");
    expect(flow(n, "prod/web", "prod/db", 17, 53).action).toBe("Allow");
  });
});

describe("network sets", () => {
  const SETS = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: threats, labels: { feed: bad } }
spec: { nets: [198.51.100.0/24, "2001:db8:bad::/48"] }
---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: { name: partners, namespace: prod, labels: { role: partner } }
spec: { nets: [192.0.2.0/24], allowedEgressDomains: ["*.partner.example"] }
---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: { name: partners, namespace: dev, labels: { role: partner } }
spec: { nets: [203.0.113.0/24] }
`;
  it("a NP rule selector reaches only network sets in the policy's namespace", () => {
    const w = world(
      `${SETS}---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: partners, namespace: prod }
spec: { types: [Egress], egress: [{ action: Allow, destination: { selector: role == "partner" } }] }
`,
      PODS,
      NS,
    );
    const ok = flow(w, "prod/web", "192.0.2.9", "TCP", 443);
    expect(ok.action).toBe("Allow");
    expect(ok.egress?.decidedBy.kind === "rule" && ok.egress.decidedBy.detail).toMatch(/NetworkSet prod\/partners/);
    expect(flow(w, "prod/web", "203.0.113.9", "TCP", 443).action).toBe("Deny");
  });
  it("a GNP rule selector reaches namespaced and global sets", () => {
    const w = world(
      `${SETS}---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: partners }
spec: { selector: all(), types: [Egress], egress: [{ action: Allow, destination: { selector: role == "partner" } }] }
`,
      PODS,
      NS,
    );
    expect(flow(w, "prod/web", "203.0.113.9", "TCP", 443).action).toBe("Allow");
    expect(flow(w, "prod/web", "192.0.2.9", "TCP", 443).action).toBe("Allow");
    expect(flow(w, "prod/web", "8.8.8.8", "TCP", 443).action).toBe("Deny");
  });
  it("allowedEgressDomains count for egress Allow rules only, ORed with the nets", () => {
    const w = world(
      `${SETS}---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: partners, namespace: prod }
spec:
  types: [Egress]
  egress:
    - action: Deny
      destination: { selector: role == "partner" }
      protocol: UDP
    - action: Allow
      destination: { selector: role == "partner" }
`,
      PODS,
      NS,
    );
    expect(flow(w, "prod/web", "8.8.4.4", "TCP", 443, { domain: "API.Partner.Example" }).action).toBe("Allow");
    expect(flow(w, "prod/web", "8.8.4.4", "TCP", 443, { domain: "partner.example" }).action).toBe("Deny");
    expect(flow(w, "prod/web", "8.8.4.4", "TCP", 443).action).toBe("Deny");
    // The Deny rule does not use the domains: UDP to the domain falls to the Allow rule.
    expect(flow(w, "prod/web", "8.8.4.4", "UDP", 53, { domain: "api.partner.example" }).action).toBe("Allow");
    // but it does use the nets
    expect(flow(w, "prod/web", "192.0.2.1", "UDP", 53).action).toBe("Deny");
  });
  it("a deny list matches IPv6 members too", () => {
    const w = world(
      `${SETS}---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: threats }
spec: { selector: all(), types: [Egress], egress: [{ action: Deny, destination: { selector: feed == "bad" } }, { action: Allow }] }
`,
      [pod("prod/v6", { labels: {}, ip: ["10.0.9.9", "2001:db8:1::9"] })],
      NS,
    );
    expect(flow(w, "prod/v6", "2001:db8:bad::1", "TCP", 443).action).toBe("Deny");
    expect(flow(w, "prod/v6", "2001:db8:beef::1", "TCP", 443).action).toBe("Allow");
    expect(flow(w, "prod/v6", "2001:db8:bad::1", "TCP", 443).source.ip).toBe("2001:db8:1::9");
  });
});

describe("domains", () => {
  const w = world(
    `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: stripe, namespace: prod }
spec:
  selector: app == "web"
  types: [Egress]
  egress:
    - action: Allow
      protocol: TCP
      destination: { domains: ["*.stripe.com", "example.org"], ports: [443] }
`,
    PODS,
    NS,
  );
  it("matches a destination IP only when the flow names a matching domain", () => {
    const r = flow(w, "prod/web", "54.1.2.3", "TCP", 443, { domain: "api.stripe.com" });
    expect(r.action).toBe("Allow");
    expect(r.egress?.decidedBy.kind === "rule" && r.egress.decidedBy.detail).toMatch(/matches \*\.stripe\.com/);
    expect(flow(w, "prod/web", "54.1.2.3", "TCP", 443).action).toBe("Deny");
    expect(flow(w, "prod/web", "54.1.2.3", "TCP", 443, { domain: "stripe.com" }).action).toBe("Deny");
    expect(flow(w, "prod/web", "54.1.2.3", "TCP", 443, { domain: "EXAMPLE.org." }).action).toBe("Allow");
    expect(flow(w, "prod/web", "54.1.2.3", "TCP", 80, { domain: "example.org" }).action).toBe("Deny");
  });
});

describe("snapshotFromYaml and evaluateFlow on raw snapshots", () => {
  it("evaluates the shop example", () => {
    const snap = snapshotFromYaml(readFileSync(new URL("../../../examples/shop.yaml", import.meta.url), "utf8"));
    expect(snap.pods.length).toBe(4);
    const r = evaluateFlow(snap, { source: { pod: "shop/cart" }, destination: { pod: "payments/checkout" }, protocol: "TCP", port: 8443 });
    expect(r.action).toBe("Allow");
    const bad = evaluateFlow(snap, { source: { pod: "payments/checkout" }, destination: { ip: "203.0.113.66" }, protocol: "TCP", port: 443 });
    expect(bad.action).toBe("Deny");
    expect(bad.destination.networkSets).toEqual(["GlobalNetworkSet threat-feed"]);
  });
  it("throws located errors for invalid documents", () => {
    const text = `apiVersion: v1
kind: Pod
metadata: { name: a, namespace: x }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: x }
spec:
  selector: a ==
`;
    try {
      snapshotFromYaml(text, "s.yaml");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(YamlResourceError);
      const e = err as YamlResourceError;
      expect(e.issues[0]).toMatchObject({ document: 2, line: 9, path: "spec.selector" });
      expect(e.message).toMatch(/^s\.yaml:9: spec\.selector: invalid selector/);
    }
  });
});
