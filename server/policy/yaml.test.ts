import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { formatYamlIssue, parseResourcesYaml, resourcesFromYaml, resourcesToYaml, resourceToPlain, YamlResourceError } from "./yaml";

const POLICY = `# a comment
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: security.block
  labels:
    z: "1"
    a: "on"
spec:
  tier: security
  order: 10.5
  selector: "!has(exempt)"
  namespaceSelector: env in {"prod", "staging"}
  egress:
    - action: Deny
      protocol: TCP
      destination:
        selector: feed == "threats"
        namespaceSelector: global()
        ports: [80, "8000:8080", http]
    - action: Allow
      protocol: TCP
      destination:
        domains: ["*.stripe.com"]
        ports: [443]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: threats
  labels: { feed: threats }
spec:
  nets: [198.51.100.7/24, "2001:db8::/32"]
  allowedEgressDomains: [example.com]
---
apiVersion: portcullis.dev/v1
kind: EgressAssignment
metadata: { name: shop, namespace: shop }
spec:
  pool: egress-a
  ip: 203.0.113.5
  destinations: { nets: [198.51.100.0/24] }
`;

describe("parse → serialise → parse", () => {
  it("round-trips to equal resources", () => {
    const first = resourcesFromYaml(POLICY);
    expect(first).toHaveLength(3);
    const text = resourcesToYaml(first);
    expect(resourcesFromYaml(text)).toEqual(first);
    // and serialising again is stable
    expect(resourcesToYaml(resourcesFromYaml(text))).toBe(text);
  });

  it("round-trips the shop example", () => {
    const r = parseResourcesYaml(readFileSync(new URL("../../examples/shop.yaml", import.meta.url), "utf8").split("\n---\n").filter((d) => !/^apiVersion: v1$/m.test(d)).join("\n---\n"));
    expect(r.issues).toEqual([]);
    expect(resourcesFromYaml(resourcesToYaml(r.resources))).toEqual(r.resources);
  });

  it("writes apiVersion, kind, metadata, spec in order, Calico field order inside, no empty fields", () => {
    const text = resourcesToYaml(resourcesFromYaml(POLICY));
    const firstDoc = text.split("---\n")[0]!;
    expect(firstDoc.split("\n").filter((l) => /^\S/.test(l))).toEqual(["apiVersion: projectcalico.org/v3", "kind: GlobalNetworkPolicy", "metadata:", "spec:"]);
    expect(firstDoc).toMatch(/spec:\n  tier: security\n  order: 10.5\n  selector: "!has\(exempt\)"\n  namespaceSelector: env in \{"prod", "staging"\}\n  types:\n    - Egress\n  egress:/);
    expect(firstDoc).toMatch(/- action: Deny\n      protocol: TCP\n      destination:\n        selector: feed == "threats"/);
    expect(text).not.toMatch(/null|\[\]|\{\}|: false/);
    expect(text.match(/^---$/gm)).toHaveLength(2);
  });

  it("quotes strings YAML 1.1 (Go's decoder) would read as other types, sorts labels", () => {
    const text = resourcesToYaml(resourcesFromYaml(POLICY));
    expect(text).toMatch(/labels:\n    a: "on"\n    z: "1"/);
    expect(text).toMatch(/- 80\n\s+- 8000:8080\n\s+- http/);
    // plain YAML 1.1 parse gives the same values
    const doc = parseYaml(text.split("---\n")[0]!, { version: "1.1" }) as { metadata: { labels: Record<string, unknown> } };
    expect(doc.metadata.labels).toEqual({ a: "on", z: "1" });
  });

  it("converts Kubernetes NetworkPolicies on the way through", () => {
    const [p] = resourcesFromYaml(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec: { podSelector: { matchLabels: { app: web } }, ingress: [{ ports: [{ port: 80 }] }] }
`);
    expect(resourceToPlain(p!)).toEqual({
      apiVersion: "projectcalico.org/v3",
      kind: "NetworkPolicy",
      metadata: { name: "knp.default.web", namespace: "shop" },
      spec: {
        tier: "default",
        order: 1000,
        selector: "projectcalico.org/orchestrator == 'k8s' && app == 'web'",
        types: ["Ingress"],
        ingress: [{ action: "Allow", protocol: "TCP", destination: { ports: [80] } }],
      },
    });
  });
});

describe("located errors", () => {
  it("names the document, the field path and the line", () => {
    const text = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: ok }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: p
  namespace: prod
spec:
  egress:
    - action: Allow
      protocol: TCP
      destination:
        nets:
          - 10.0.0.1/8
        ports:
          - 80
          - 99999
`;
    const r = parseResourcesYaml(text);
    expect(r.resources).toHaveLength(1);
    expect(r.issues).toEqual([
      expect.objectContaining({ document: 2, line: 16, path: "spec.egress[0].destination.nets[0]", kind: "NetworkPolicy", name: "p" }),
      expect.objectContaining({ document: 2, line: 19, path: "spec.egress[0].destination.ports[1]" }),
    ]);
    expect(formatYamlIssue(r.issues[0]!, "p.yaml")).toMatch(/^p\.yaml:16: spec\.egress\[0\]\.destination\.nets\[0\]: invalid CIDR "10\.0\.0\.1\/8": .*host bits/);
  });

  it("points a missing field at its parent and label keys at the key", () => {
    const r = parseResourcesYaml(`apiVersion: portcullis.dev/v1
kind: EgressAssignment
metadata:
  name: a
  namespace: b
  labels:
    good: x
    "bad key": y
spec:
  ip: 203.0.113.1
`);
    expect(r.issues.map((i) => `${i.line}:${i.path}`)).toEqual(['8:metadata.labels["bad key"]', "9:spec.pool"]);
  });

  it("reports YAML syntax errors with document index and line, and keeps going", () => {
    const r = parseResourcesYaml(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: one }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: two
   bad: indent
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: three }
`);
    expect(r.resources.map((x) => x.metadata.name)).toEqual(["one", "three"]);
    expect(r.issues.length).toBeGreaterThan(0);
    expect(r.issues[0]).toMatchObject({ document: 2, path: "(yaml)" });
    expect(r.issues[0]!.line).toBeGreaterThanOrEqual(8);
    expect(r.issues[0]!.line).toBeLessThanOrEqual(9);
  });

  it("rejects duplicate keys", () => {
    const r = parseResourcesYaml(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: one }
metadata: { name: two }
`);
    expect(r.issues[0]).toMatchObject({ document: 1, line: 4, path: "(yaml)" });
  });

  it("throws YamlResourceError from resourcesFromYaml", () => {
    expect(() => resourcesFromYaml("kind: Nope\n")).toThrow(YamlResourceError);
  });
});

describe("List documents", () => {
  it("flattens items and locates item errors", () => {
    const r = parseResourcesYaml(`apiVersion: projectcalico.org/v3
kind: NetworkPolicyList
items:
  - apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata: { name: a, namespace: x }
  - apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata: { name: B, namespace: x }
`);
    expect(r.resources.map((x) => x.metadata.name)).toEqual(["a"]);
    expect(r.issues).toEqual([expect.objectContaining({ document: 1, line: 9, path: "items[1].metadata.name" })]);
    expect(r.items[0]).toMatchObject({ item: 0, line: 4 });
  });
  it("accepts kind: List", () => {
    const r = parseResourcesYaml(`apiVersion: v1
kind: List
items:
  - { apiVersion: projectcalico.org/v3, kind: Tier, metadata: { name: t } }
`);
    expect(r.issues).toEqual([]);
    expect(r.resources[0]?.kind).toBe("Tier");
  });
});
