import { describe, expect, it } from "vitest";
import { parseSelector } from "@/server/policy/selector/index";
import { setIn, type Doc } from "./document";
import { entityLike, InventoryModel, policyLike, previewFor, type FieldRef, type InventorySnapshot, type NetworkSetInfo, type Preview } from "./preview";

const snapshot: InventorySnapshot = {
  cluster: "c",
  namespaces: [
    { name: "shop", labels: { team: "storefront", env: "prod" } },
    { name: "pay", labels: { team: "payments", env: "prod" } },
    { name: "dev", labels: { team: "storefront", env: "dev" } },
  ],
  pods: [
    ["dev", "web-0", { app: "web" }, "default", "n1", []],
    ["pay", "api-0", { app: "api" }, "pay-sa", "n1", []],
    ["pay", "web-0", { app: "web" }, "default", "n1", []],
    ["shop", "web-0", { app: "web" }, "web-sa", "n1", []],
    ["shop", "web-1", { app: "web" }, "web-sa", "n1", []],
  ],
};
const sets: NetworkSetInfo[] = [
  { kind: "GlobalNetworkSet", namespace: null, name: "threats", labels: { feed: "threats" }, origin: "published" },
  { kind: "NetworkSet", namespace: "shop", name: "partners", labels: { feed: "partners" }, origin: "published" },
  { kind: "NetworkSet", namespace: "pay", name: "psp", labels: { feed: "partners" }, origin: "draft" },
];
const model = InventoryModel.build(snapshot, sets);

function np(spec: Record<string, unknown>, namespace = "shop"): Doc {
  return { apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "p", namespace }, spec };
}
function gnp(spec: Record<string, unknown>): Doc {
  return { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "p" }, spec };
}
function preview(doc: Doc, ref: FieldRef): Preview {
  const entity = ref.scope === "rule" ? entityLike(((doc.spec as Doc)[ref.direction] as Doc[])[ref.index]![ref.side]) : undefined;
  return previewFor(model, policyLike(doc), entity, ref);
}
function ok(p: Preview) {
  if (p.status !== "ok") throw new Error(`expected a preview, got ${p.status}: ${p.note}`);
  return p;
}
const dst = (field: "selector" | "notSelector" | "namespaceSelector" | "serviceAccounts.selector"): FieldRef => ({ scope: "rule", direction: "egress", index: 0, side: "destination", field });

describe("policy selector preview (reference §1.6)", () => {
  it("a NetworkPolicy selects pods of its own namespace only", () => {
    const p = ok(preview(np({ selector: "app == 'web'" }), { scope: "policy", field: "selector" }));
    expect(p.pods).toEqual({ count: 2, sample: ["shop/web-0", "shop/web-1"] });
    expect(p.sets).toBeNull();
    expect(ok(preview(np({}), { scope: "policy", field: "selector" })).pods.count).toBe(2);
  });

  it("a GlobalNetworkPolicy selects in every namespace, narrowed by its namespaceSelector", () => {
    expect(ok(preview(gnp({ selector: "app == 'web'" }), { scope: "policy", field: "selector" })).pods.count).toBe(4);
    const p = ok(preview(gnp({ selector: "app == 'web'", namespaceSelector: "team == 'storefront'" }), { scope: "policy", field: "namespaceSelector" }));
    expect(p.pods.sample).toEqual(["dev/web-0", "shop/web-0", "shop/web-1"]);
    expect(p.namespaces).toEqual({ count: 2, sample: ["shop", "dev"] });
    // all() in a namespace selector means "every namespaced endpoint".
    expect(ok(preview(gnp({ namespaceSelector: "all()" }), { scope: "policy", field: "namespaceSelector" })).pods.count).toBe(5);
  });

  it("serviceAccountSelector matches pcsa.-prefixed labels (names via projectcalico.org/name)", () => {
    const p = ok(preview(gnp({ serviceAccountSelector: "projectcalico.org/name == 'web-sa'" }), { scope: "policy", field: "serviceAccountSelector" }));
    expect(p.pods.sample).toEqual(["shop/web-0", "shop/web-1"]);
  });

  it("another invalid selector pauses the preview instead of throwing", () => {
    expect(preview(gnp({ selector: "app == 'web'", namespaceSelector: "team ==" }), { scope: "policy", field: "selector" }).status).toBe("blocked");
  });
});

describe("rule selector preview", () => {
  it("in a NetworkPolicy a rule selector is restricted to the policy's namespace", () => {
    const doc = np({ egress: [{ action: "Allow", destination: { selector: "app == 'web'" } }] });
    const p = ok(preview(doc, dst("selector")));
    expect(p.mode).toBe("peers");
    expect(p.pods.sample).toEqual(["shop/web-0", "shop/web-1"]);
    expect(p.note).toMatch(/in shop only/);
  });

  it("a rule namespaceSelector lifts the restriction and names the namespaces", () => {
    const doc = np({ egress: [{ action: "Allow", destination: { selector: "app == 'web'", namespaceSelector: "env == 'prod'" } }] });
    const p = ok(preview(doc, dst("namespaceSelector")));
    expect(p.pods.sample).toEqual(["pay/web-0", "shop/web-0", "shop/web-1"]);
    expect(p.namespaces?.sample).toEqual(["shop", "pay"]);
    // A namespaceSelector on its own: every endpoint and set in those namespaces.
    const alone = ok(preview(np({ egress: [{ action: "Allow", destination: { namespaceSelector: "team == 'payments'" } }] }), dst("namespaceSelector")));
    expect(alone.pods.sample).toEqual(["pay/api-0", "pay/web-0"]);
    expect(alone.sets?.sample).toEqual(["pay/psp"]);
  });

  it("network sets: namespaced sets of the policy's namespace; global sets only via global()", () => {
    const local = ok(preview(np({ egress: [{ action: "Deny", destination: { selector: "has(feed)" } }] }), dst("selector")));
    expect(local.sets).toEqual({ count: 1, sample: ["shop/partners"] });
    expect(local.pods.count).toBe(0);
    const global = ok(preview(np({ egress: [{ action: "Deny", destination: { selector: "has(feed)", namespaceSelector: "global()" } }] }), dst("selector")));
    expect(global.sets?.sample).toEqual(["global/threats"]);
    expect(global.note).toMatch(/global\(\)/);
    // A GlobalNetworkPolicy rule ranges over global and namespaced sets.
    const all = ok(preview(gnp({ egress: [{ action: "Deny", destination: { selector: "has(feed)" } }] }), dst("selector")));
    expect(all.sets?.count).toBe(3);
  });

  it("notSelector is used as written (any namespace) and shown as an exclusion", () => {
    const p = ok(preview(np({ egress: [{ action: "Allow", destination: { notSelector: "app == 'web'" } }] }), dst("notSelector")));
    expect(p.mode).toBe("excludes");
    expect(p.pods.count).toBe(4);
  });

  it("no selector at all means any address", () => {
    expect(preview(np({ egress: [{ action: "Allow", destination: { nets: ["10.0.0.0/8"] } }] }), dst("selector")).status).toBe("any");
  });

  it("service accounts: names and selector, namespace-scoped like the selector", () => {
    const doc = setIn(np({ egress: [{ action: "Allow" }] }, "pay"), ["spec", "egress", 0, "destination", "serviceAccounts"], { names: ["pay-sa", "web-sa"] });
    expect(ok(preview(doc, dst("serviceAccounts.selector"))).pods.sample).toEqual(["pay/api-0"]);
  });
});

describe("inventory model", () => {
  it("memoises by effective selector and returns at most 50 samples", () => {
    const big = InventoryModel.build(
      { cluster: "b", namespaces: [{ name: "a", labels: {} }], pods: Array.from({ length: 120 }, (_, i) => ["a", `p-${i}`, { app: "x" }, "", "n", []] as InventorySnapshot["pods"][number]) },
      [],
    );
    const m1 = big.matchPods(parseSelector("app == 'x'"));
    expect(m1.count).toBe(120);
    expect(m1.sample).toHaveLength(50);
    expect(big.matchPods(parseSelector('app == "x"'))).toBe(m1);
  });

  it("collects label keys and values for autocomplete, most frequent first", () => {
    expect(model.vocabulary.endpoint.keys[0]!.key).toBe("app");
    expect(model.vocabulary.endpoint.values.get("app")!.map((v) => v.value)).toEqual(["web", "api"]);
    expect(model.vocabulary.endpoint.values.get("feed")!.map((v) => v.value)).toEqual(["partners", "threats"]);
    expect(model.vocabulary.endpoint.values.get("pcns.team")).toBeDefined();
    expect(model.vocabulary.namespace.values.get("projectcalico.org/name")!.map((v) => v.value).sort()).toEqual(["dev", "pay", "shop"]);
    expect(model.vocabulary.serviceAccount.values.get("projectcalico.org/name")!.map((v) => v.value)).toEqual(["default", "web-sa", "pay-sa"]);
  });
});
