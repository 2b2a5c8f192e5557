import { describe, expect, it } from "vitest";
import { setIn, type Doc } from "./document";
import { selectorForSets } from "./network-set-pick";
import { entityLike, InventoryModel, policyLike, previewFor, type NetworkSetInfo } from "./preview";

const threats: NetworkSetInfo = { kind: "GlobalNetworkSet", namespace: null, name: "threats", labels: { feed: "threats", severity: "high" }, origin: "published" };
const partners: NetworkSetInfo = { kind: "NetworkSet", namespace: "shop", name: "partners", labels: { feed: "partners" }, origin: "published" };
const psp: NetworkSetInfo = { kind: "NetworkSet", namespace: "pay", name: "psp", labels: { feed: "psp" }, origin: "published" };
const bare: NetworkSetInfo = { kind: "GlobalNetworkSet", namespace: null, name: "bare", labels: {}, origin: "published" };
const NP = { kind: "NetworkPolicy", namespace: "shop" };
const GNP = { kind: "GlobalNetworkPolicy", namespace: null };

describe("selectorForSets", () => {
  it("selects a set by all of its labels", () => {
    expect(selectorForSets([threats], GNP)).toEqual({ selector: '(feed == "threats" && severity == "high")', namespaceSelector: null, problem: null });
    expect(selectorForSets([partners], GNP).selector).toBe('feed == "partners"');
    expect(selectorForSets([partners, threats], GNP).selector).toBe('(feed == "partners" || (feed == "threats" && severity == "high"))');
  });

  it("scopes a NetworkPolicy rule so it can reach the picked sets", () => {
    expect(selectorForSets([partners], NP).namespaceSelector).toBeNull();
    expect(selectorForSets([threats], NP).namespaceSelector).toBe("global()");
    expect(selectorForSets([psp], NP).namespaceSelector).toBe('projectcalico.org/name == "pay"');
    expect(selectorForSets([psp, partners], NP).namespaceSelector).toBe('projectcalico.org/name in {"pay", "shop"}');
    expect(selectorForSets([threats, partners], NP).problem).toMatch(/not both/);
  });

  it("refuses sets without labels", () => {
    expect(selectorForSets([bare], GNP).problem).toMatch(/bare has no labels/);
    expect(selectorForSets([], GNP).problem).toMatch(/at least one/);
  });

  it("the engine's preview of the produced rule matches exactly the picked sets", () => {
    const all = [threats, partners, psp];
    const model = InventoryModel.build({ cluster: "c", namespaces: [{ name: "shop", labels: {} }, { name: "pay", labels: {} }], pods: [] }, all);
    for (const picked of [[threats], [partners], [psp], [psp, partners]]) {
      const pick = selectorForSets(picked, NP);
      let doc: Doc = { apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "p", namespace: "shop" }, spec: { egress: [{ action: "Allow" }] } };
      doc = setIn(doc, ["spec", "egress", 0, "destination", "selector"], pick.selector);
      if (pick.namespaceSelector) doc = setIn(doc, ["spec", "egress", 0, "destination", "namespaceSelector"], pick.namespaceSelector);
      const entity = entityLike(((doc.spec as Doc).egress as Doc[])[0]!.destination);
      const p = previewFor(model, policyLike(doc), entity, { scope: "rule", direction: "egress", index: 0, side: "destination", field: "selector" });
      if (p.status !== "ok") throw new Error(p.note);
      expect(p.sets!.sample.sort()).toEqual(picked.map((s) => (s.kind === "GlobalNetworkSet" ? `global/${s.name}` : `${s.namespace}/${s.name}`)).sort());
    }
  });
});
