import { describe, expect, it } from "vitest";
import { changeKind, getIn, jsonEqual, moveItem, newPolicy, parsePortList, removeItem, resourceRef, setIn, splitList, type Doc } from "./document";

const base: Doc = {
  apiVersion: "projectcalico.org/v3",
  kind: "NetworkPolicy",
  metadata: { name: "p", namespace: "shop" },
  spec: {
    selector: "app == 'web'",
    egress: [
      { action: "Allow", destination: { selector: "a == 'b'" }, http: { methods: ["GET"] } },
      { action: "Deny", metadata: { annotations: { why: "x" } } },
    ],
  },
};

describe("document paths", () => {
  it("reads nested values and lists", () => {
    expect(getIn(base, ["spec", "egress", 0, "destination", "selector"])).toBe("a == 'b'");
    expect(getIn(base, ["spec", "egress", 5, "action"])).toBeUndefined();
    expect(getIn(base, ["spec", "selector", "x"])).toBeUndefined();
  });

  it("sets a value without touching other branches", () => {
    const next = setIn(base, ["spec", "egress", 1, "protocol"], "TCP");
    expect(getIn(next, ["spec", "egress", 1, "protocol"])).toBe("TCP");
    expect(getIn(next, ["spec", "egress", 0])).toBe(getIn(base, ["spec", "egress", 0]));
    expect(getIn(base, ["spec", "egress", 1, "protocol"])).toBeUndefined();
  });

  it("creates missing objects on the way", () => {
    const next = setIn(base, ["spec", "egress", 1, "destination", "nets"], ["10.0.0.0/8"]);
    expect(getIn(next, ["spec", "egress", 1, "destination"])).toEqual({ nets: ["10.0.0.0/8"] });
  });

  it("an unset value removes the key and prunes emptied objects, never a rule or a section", () => {
    const next = setIn(base, ["spec", "egress", 0, "destination", "selector"], "");
    expect(getIn(next, ["spec", "egress", 0])).toEqual({ action: "Allow", http: { methods: ["GET"] } });
    const noSelector = setIn(base, ["spec", "selector"], "");
    expect(getIn(noSelector, ["spec"])).toEqual({ egress: (base.spec as Doc).egress });
    const empty = setIn(newPolicy("GlobalNetworkPolicy"), ["spec", "selector"], undefined);
    expect(empty.spec).toEqual({ tier: "default" });
    expect(getIn(setIn(base, ["spec", "egress", 0, "destination", "ports"], []), ["spec", "egress", 0, "destination"])).toEqual({ selector: "a == 'b'" });
  });

  it("keeps key order when replacing a value", () => {
    const next = setIn(base, ["metadata", "name"], "q");
    expect(Object.keys(next.metadata as Doc)).toEqual(["name", "namespace"]);
  });

  it("moves and removes list items; removing the last drops the list", () => {
    const moved = moveItem(base, ["spec", "egress"], 1, 0);
    expect((getIn(moved, ["spec", "egress"]) as Doc[]).map((r) => r.action)).toEqual(["Deny", "Allow"]);
    expect(moveItem(base, ["spec", "egress"], 1, 2)).toBe(base);
    const one = removeItem(base, ["spec", "egress"], 0);
    expect((getIn(one, ["spec", "egress"]) as Doc[]).map((r) => r.action)).toEqual(["Deny"]);
    expect(getIn(removeItem(one, ["spec", "egress"], 0), ["spec", "egress"])).toBeUndefined();
  });
});

describe("kind switch", () => {
  it("global drops the namespace; namespaced drops global-only fields and says so", () => {
    const g = changeKind(base, "GlobalNetworkPolicy");
    expect(g.doc.metadata).toEqual({ name: "p" });
    expect(g.dropped).toEqual(["metadata.namespace (shop)"]);
    const withNs = setIn(g.doc, ["spec", "namespaceSelector"], "team == 'x'");
    const back = changeKind(withNs, "NetworkPolicy", "payments");
    expect(back.doc.metadata).toEqual({ name: "p", namespace: "payments" });
    expect(getIn(back.doc, ["spec", "namespaceSelector"])).toBeUndefined();
    expect(back.dropped).toEqual(["spec.namespaceSelector (team == 'x')"]);
    // Rules the form does not model survive.
    expect(getIn(back.doc, ["spec", "egress"])).toEqual((base.spec as Doc).egress);
  });
});

describe("typed lists", () => {
  it("splits on commas and whitespace; ports become numbers when decimal", () => {
    expect(splitList(" 10.0.0.0/8,192.168.0.0/16\n\n 1.2.3.4 ")).toEqual(["10.0.0.0/8", "192.168.0.0/16", "1.2.3.4"]);
    expect(parsePortList("80, 8000:8080 http 443")).toEqual([80, "8000:8080", "http", 443]);
  });
  it("compares JSON structurally", () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(jsonEqual([80], ["80"])).toBe(false);
  });
  it("names the resource a document describes", () => {
    expect(resourceRef(base)).toEqual({ kind: "NetworkPolicy", namespace: "shop", name: "p" });
    expect(resourceRef({ kind: "NetworkPolicy", metadata: { name: "x" } })).toEqual({ kind: "NetworkPolicy", namespace: "default", name: "x" });
    expect(resourceRef(newPolicy("GlobalNetworkPolicy"))).toEqual({ kind: "GlobalNetworkPolicy", namespace: null, name: "" });
  });
});
