import { describe, expect, it } from "vitest";
import { parseSelector } from "../selector/index";
import { parseResource, ZResource, type TResource } from "./index";
import { k8sSelectorToCalico, simplifyPorts } from "./kubernetes";
import type { TNetworkPolicy } from "./policy";

function convert(spec: Record<string, unknown>, name = "web", namespace = "shop"): TNetworkPolicy {
  const r = parseResource({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  expect(r.value.kind).toBe("NetworkPolicy");
  return r.value as TNetworkPolicy;
}

describe("Kubernetes NetworkPolicy → Calico", () => {
  it("names, tiers and orders it like Calico", () => {
    const p = convert({ podSelector: {} });
    expect(p.apiVersion).toBe("projectcalico.org/v3");
    expect(p.metadata).toEqual({ name: "knp.default.web", namespace: "shop" });
    expect(p.spec.tier).toBe("default");
    expect(p.spec.order).toBe(1000);
    expect(p.spec.selector).toBe("projectcalico.org/orchestrator == 'k8s'");
    expect(p.spec.types).toEqual(["Ingress"]);
    expect(p.spec.ingress).toBeUndefined();
  });

  it("converts matchLabels (sorted) and matchExpressions", () => {
    const sel = k8sSelectorToCalico(
      {
        matchLabels: { tier: "web", app: "shop" },
        matchExpressions: [
          { key: "env", operator: "In", values: ["prod", "staging"] },
          { key: "canary", operator: "NotIn", values: ["true"] },
          { key: "owner", operator: "Exists" },
          { key: "legacy", operator: "DoesNotExist" },
        ],
      },
      "pod",
    );
    expect(sel).toBe(
      "projectcalico.org/orchestrator == 'k8s' && app == 'shop' && tier == 'web' && env in { 'prod', 'staging' } && canary not in { 'true' } && has(owner) && ! has(legacy)",
    );
    const parsed = parseSelector(sel);
    const base = { "projectcalico.org/orchestrator": "k8s", app: "shop", tier: "web", env: "prod", owner: "me" };
    expect(parsed.matches(base)).toBe(true);
    expect(parsed.matches({ ...base, canary: "true" })).toBe(false);
    expect(parsed.matches({ ...base, legacy: "" })).toBe(false);
    expect(parsed.matches({ ...base, env: "dev" })).toBe(false);
  });

  it("maps an empty namespaceSelector to all() and a missing one to nothing", () => {
    expect(k8sSelectorToCalico({}, "namespace")).toBe("all()");
    expect(k8sSelectorToCalico(undefined, "namespace")).toBe("");
    const p = convert({
      podSelector: { matchLabels: { app: "db" } },
      ingress: [{ from: [{ namespaceSelector: {} }, { podSelector: { matchLabels: { app: "api" } } }] }],
    });
    expect(p.spec.ingress).toEqual([
      { action: "Allow", source: { selector: "projectcalico.org/orchestrator == 'k8s'", namespaceSelector: "all()" } },
      { action: "Allow", source: { selector: "projectcalico.org/orchestrator == 'k8s' && app == 'api'" } },
    ]);
  });

  it("converts ipBlock with except to nets/notNets (masked)", () => {
    const p = convert({
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr: "10.1.2.3/8", except: ["10.9.0.0/16"] } }] }],
    });
    expect(p.spec.types).toEqual(["Egress"]);
    expect(p.spec.egress).toEqual([{ action: "Allow", destination: { nets: ["10.0.0.0/8"], notNets: ["10.9.0.0/16"] } }]);
  });

  it("groups ports by protocol, keeps named ports and turns endPort into a range", () => {
    const p = convert({
      podSelector: {},
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { app: "a" } } }],
          ports: [{ port: 80 }, { port: "http" }, { protocol: "UDP", port: 53 }, { port: 8000, endPort: 8080 }, { port: 81 }],
        },
      ],
    });
    expect(p.spec.ingress).toEqual([
      { action: "Allow", protocol: "TCP", source: { selector: "projectcalico.org/orchestrator == 'k8s' && app == 'a'" }, destination: { ports: ["http", "80:81", "8000:8080"] } },
      { action: "Allow", protocol: "UDP", source: { selector: "projectcalico.org/orchestrator == 'k8s' && app == 'a'" }, destination: { ports: [53] } },
    ]);
  });

  it("treats a port entry with only a protocol as all ports of it", () => {
    const p = convert({ podSelector: {}, ingress: [{ ports: [{ protocol: "UDP" }, { protocol: "UDP", port: 53 }] }] });
    expect(p.spec.ingress).toEqual([{ action: "Allow", protocol: "UDP" }]);
  });

  it("an empty rule allows everything; policyTypes default to Ingress (+Egress with egress rules)", () => {
    const p = convert({ podSelector: {}, ingress: [{}], egress: [{}] });
    expect(p.spec.ingress).toEqual([{ action: "Allow" }]);
    expect(p.spec.egress).toEqual([{ action: "Allow" }]);
    expect(p.spec.types).toEqual(["Ingress", "Egress"]);
  });

  it("default-deny egress: policyTypes Egress with no rules", () => {
    const p = convert({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(p.spec.types).toEqual(["Ingress", "Egress"]);
    expect(p.spec.egress).toBeUndefined();
  });

  it("rejects malformed Kubernetes policies with paths", () => {
    const r = parseResource({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "x", namespace: "y" },
      spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }], ports: [{ port: 80, endPort: 70 }] }] },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["spec.ingress.0.from.0.ipBlock", "spec.ingress.0.ports.0.endPort"]));
    }
  });

  it("simplifyPorts merges overlapping and adjacent ranges", () => {
    expect(simplifyPorts([90, "80:85", 86, "x", 100])).toEqual(["x", "80:86", 90, 100]);
  });

  it("ZResource discriminates Calico and Kubernetes NetworkPolicy by apiVersion", () => {
    const calico = ZResource.parse({ apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "a", namespace: "b" } }) as TResource;
    expect(calico.metadata.name).toBe("a");
    const k8s = ZResource.parse({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "a", namespace: "b" }, spec: { podSelector: {} } }) as TResource;
    expect(k8s.metadata.name).toBe("knp.default.a");
    expect(ZResource.safeParse({ apiVersion: "projectcalico.org/v3", kind: "Nope", metadata: { name: "a" } }).success).toBe(false);
  });
});
