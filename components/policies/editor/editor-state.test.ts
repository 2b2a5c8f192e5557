import { describe, expect, it } from "vitest";
import { getIn, newPolicy } from "./document";
import { editorReducer, initialState, type EditorAction, type EditorState } from "./editor-state";

function run(state: EditorState, ...actions: EditorAction[]): EditorState {
  return actions.reduce(editorReducer, state);
}

describe("editor state", () => {
  it("rule ids follow their rule when it moves and when another is removed", () => {
    let s = run(initialState(newPolicy("NetworkPolicy", "shop")), { type: "addRule", direction: "egress" }, { type: "addRule", direction: "egress" }, { type: "addRule", direction: "egress" });
    s = run(s, { type: "set", path: ["spec", "egress", 2, "action"], value: "Deny" });
    const [a, b, c] = s.ids.egress;
    s = run(s, { type: "moveRule", direction: "egress", index: 2, delta: -1 });
    expect(s.ids.egress).toEqual([a, c, b]);
    expect(getIn(s.doc, ["spec", "egress", 1, "action"])).toBe("Deny");
    expect(s.moved).toMatchObject({ id: c, which: "up", message: "Egress rule 3 moved to position 2 of 3." });
    s = run(s, { type: "removeRule", direction: "egress", index: 0 });
    expect(s.ids.egress).toEqual([c, b]);
    // Out of range moves do nothing.
    expect(run(s, { type: "moveRule", direction: "egress", index: 1, delta: 1 })).toBe(s);
  });

  it("YAML edits become the document; the form tab is refused while the YAML is not one policy", () => {
    let s = run(initialState(newPolicy("GlobalNetworkPolicy")), { type: "set", path: ["metadata", "name"], value: "p" }, { type: "tab", tab: "yaml" });
    expect(s.yaml).toContain("name: p");
    s = run(s, { type: "yaml", text: s.yaml.replace("name: p", "name: q") + "  egress:\n    - action: Deny\n      icmp: {type: 8}\n" });
    expect(getIn(s.doc, ["metadata", "name"])).toBe("q");
    expect(getIn(s.doc, ["spec", "egress", 0, "icmp"])).toEqual({ type: 8 });
    expect(s.ids.egress).toHaveLength(1);
    const broken = run(s, { type: "yaml", text: "spec: [" });
    expect(broken.doc).toBe(s.doc);
    expect(run(broken, { type: "tab", tab: "form" }).tab).toBe("yaml");
    expect(run(s, { type: "tab", tab: "form" }).tab).toBe("form");
  });

  it("editing a field clears the server's errors for it, and only those", () => {
    let s = run(initialState(newPolicy("GlobalNetworkPolicy")), {
      type: "serverIssues",
      issues: [
        { path: "metadata.name", message: "exists", source: "server" },
        { path: "spec.selector", message: "bad", source: "server" },
      ],
    });
    s = run(s, { type: "set", path: ["metadata", "name"], value: "x" });
    expect(s.serverIssues.map((i) => i.path)).toEqual(["spec.selector"]);
  });

  it("switching kind says what it removed", () => {
    const s = run(initialState(newPolicy("GlobalNetworkPolicy")), { type: "set", path: ["spec", "namespaceSelector"], value: "a == 'b'" }, { type: "kind", kind: "NetworkPolicy" });
    expect(s.notice).toMatch(/removed spec.namespaceSelector/);
    expect(getIn(s.doc, ["metadata", "namespace"])).toBe("default");
  });
});
