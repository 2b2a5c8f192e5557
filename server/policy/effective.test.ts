import { describe, expect, it } from "vitest";
import {
  endpointLabelsForNetworkSet,
  endpointLabelsForPod,
  policySelectorFor,
  ruleEntitySelectors,
  ruleNamespaceSelector,
} from "./effective";
import { SelectorIndex } from "./selector-index";

const ns = { metadata: { name: "prod", labels: { env: "prod", team: "a" } } };
const sa = { metadata: { name: "api-sa", namespace: "prod", labels: { role: "api" } } };
const pod = { metadata: { name: "api-1", namespace: "prod", labels: { app: "api", "projectcalico.org/namespace": "spoofed" } }, spec: { serviceAccountName: "api-sa" } };

describe("endpoint labels", () => {
  it("pod: own labels, Calico labels, inherited pcns./pcsa. labels", () => {
    expect(endpointLabelsForPod(pod, ns, sa)).toEqual({
      app: "api",
      "projectcalico.org/namespace": "prod",
      "projectcalico.org/orchestrator": "k8s",
      "projectcalico.org/serviceaccount": "api-sa",
      "pcns.env": "prod",
      "pcns.team": "a",
      "pcns.projectcalico.org/name": "prod",
      "pcsa.role": "api",
      "pcsa.projectcalico.org/name": "api-sa",
    });
  });
  it("own labels win over inherited ones", () => {
    const labels = endpointLabelsForPod({ metadata: { name: "x", namespace: "prod", labels: { "pcns.env": "mine" } } }, ns);
    expect(labels["pcns.env"]).toBe("mine");
    expect(labels["projectcalico.org/serviceaccount"]).toBeUndefined();
  });
  it("namespaced NetworkSet gets the namespace label and pcns.*; GlobalNetworkSet only its own", () => {
    expect(endpointLabelsForNetworkSet({ kind: "NetworkSet", metadata: { name: "s", namespace: "prod", labels: { role: "x" } } }, ns)).toEqual({
      role: "x",
      "projectcalico.org/namespace": "prod",
      "pcns.env": "prod",
      "pcns.team": "a",
      "pcns.projectcalico.org/name": "prod",
    });
    expect(endpointLabelsForNetworkSet({ kind: "GlobalNetworkSet", metadata: { name: "g", labels: { feed: "t" } } })).toEqual({ feed: "t" });
  });
});

const NP = (spec: object) => ({ kind: "NetworkPolicy", metadata: { name: "p", namespace: "prod" }, spec });
const GNP = (spec: object) => ({ kind: "GlobalNetworkPolicy", metadata: { name: "p" }, spec });

describe("policy selectors (§1.6)", () => {
  it("NP: (<selector>) && projectcalico.org/namespace == N; empty means all pods in N", () => {
    expect(policySelectorFor(NP({ selector: "app == 'api'" })).toString()).toBe('(app == "api" && projectcalico.org/namespace == "prod")');
    expect(policySelectorFor(NP({})).toString()).toBe('projectcalico.org/namespace == "prod"');
  });
  it("NP serviceAccountSelector is pcsa.-prefixed", () => {
    const s = policySelectorFor(NP({ serviceAccountSelector: "role == 'api'" }));
    expect(s.toString()).toBe('(pcsa.role == "api" && projectcalico.org/namespace == "prod")');
  });
  it("GNP selector as written; namespaceSelector pcns.-prefixed with all() → has(namespace) across the whole string", () => {
    expect(policySelectorFor(GNP({ selector: "all()" })).toString()).toBe("all()");
    expect(policySelectorFor(GNP({ selector: "all()", namespaceSelector: "env == 'prod'" })).toString()).toBe(
      '(has(projectcalico.org/namespace) && pcns.env == "prod")',
    );
    expect(policySelectorFor(GNP({ namespaceSelector: "all()" })).toString()).toBe("has(projectcalico.org/namespace)");
  });
  it("GNP serviceAccountSelector: all() → has(projectcalico.org/serviceaccount)", () => {
    expect(policySelectorFor(GNP({ serviceAccountSelector: "all()" })).toString()).toBe("has(projectcalico.org/serviceaccount)");
  });
});

describe("rule selectors (§1.6)", () => {
  it("NP rule without selector fields: no endpoint restriction", () => {
    const rule = { source: { nets: ["10.0.0.0/8"], selector: undefined } };
    expect(ruleEntitySelectors(NP({}), rule, "source")).toEqual({ selector: null, notSelector: null });
  });
  it("NP rule selector is scoped to the policy namespace", () => {
    expect(ruleEntitySelectors(NP({}), { source: { selector: "app == 'a'" } }, "source").selector?.toString()).toBe(
      '(app == "a" && projectcalico.org/namespace == "prod")',
    );
  });
  it("NP rule notSelector: as written, and scopes the positive side", () => {
    const r = ruleEntitySelectors(NP({}), { destination: { notSelector: "app == 'a'" } }, "destination");
    expect(r.notSelector?.toString()).toBe('app == "a"');
    expect(r.selector?.toString()).toBe('projectcalico.org/namespace == "prod"');
  });
  it("GNP rule without namespaceSelector ranges over everything", () => {
    expect(ruleEntitySelectors(GNP({}), { source: { selector: "app == 'a'" } }, "source").selector?.toString()).toBe('app == "a"');
  });
  it("rule namespaceSelector: pcns.-prefixed, all() and global()", () => {
    expect(ruleNamespaceSelector("env == 'prod'").toString()).toBe('pcns.env == "prod"');
    expect(ruleNamespaceSelector("all()").toString()).toBe("has(projectcalico.org/namespace)");
    expect(ruleNamespaceSelector("global()").toString()).toBe("!has(projectcalico.org/namespace)");
    expect(ruleEntitySelectors(NP({}), { source: { namespaceSelector: "env == 'dev'" } }, "source").selector?.toString()).toBe('pcns.env == "dev"');
  });
  it("serviceAccounts: names in {…} AND pcsa.-prefixed selector, namespace-scoped", () => {
    const r = ruleEntitySelectors(NP({}), { source: { serviceAccounts: { names: ["b", "a"], selector: "role == 'api'" } } }, "source");
    expect(r.selector?.toString()).toBe('((projectcalico.org/serviceaccount in {"a", "b"} && pcsa.role == "api") && projectcalico.org/namespace == "prod")');
  });
  it("works with the SelectorIndex for live preview", () => {
    const index = new SelectorIndex([
      { id: "prod/api-1", labels: endpointLabelsForPod(pod, ns, sa) },
      { id: "dev/api-2", labels: endpointLabelsForPod({ metadata: { name: "api-2", namespace: "dev", labels: { app: "api" } } }, { metadata: { name: "dev" } }) },
    ]);
    expect(index.query(policySelectorFor(NP({ selector: "app == 'api'" })))).toEqual(["prod/api-1"]);
    expect(index.query(policySelectorFor(GNP({ selector: "app == 'api'" }))).sort()).toEqual(["dev/api-2", "prod/api-1"]);
    expect(index.query(ruleEntitySelectors(NP({}), { source: { namespaceSelector: "projectcalico.org/name == 'dev'" } }, "source").selector!)).toEqual(["dev/api-2"]);
  });
});
