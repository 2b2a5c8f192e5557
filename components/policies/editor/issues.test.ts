import { describe, expect, it } from "vitest";
import { formatPath } from "@/server/policy/resources/common";
import { groupByPrefix, issuesAt, issuesFromServer, pathKey, validateDocument } from "./issues";

describe("issues", () => {
  it("validates with the engine and keys issues by the engine's path format", () => {
    const v = validateDocument({
      apiVersion: "projectcalico.org/v3",
      kind: "NetworkPolicy",
      metadata: { name: "Bad_Name", namespace: "shop", labels: { "app.kubernetes.io/name": "-x" } },
      spec: { selector: "app ==", egress: [{ action: "Allow" }, { action: "Deny", destination: { domains: ["*.example.com"], nets: ["10.0.0.1/8"] } }] },
    });
    const paths = v.issues.map((i) => i.path);
    expect(paths).toContain("metadata.name");
    expect(paths).toContain('metadata.labels["app.kubernetes.io/name"]');
    expect(paths).toContain("spec.selector");
    expect(paths).toContain("spec.egress[1].destination.domains");
    expect(paths).toContain("spec.egress[1].destination.nets[0]");
    expect(v.resource).toBeNull();
  });

  it("refuses kinds the editor does not edit", () => {
    expect(validateDocument({ kind: "NetworkSet" }).issues[0]!.path).toBe("kind");
  });

  it("maps the server's change paths back to document paths", () => {
    const issues = issuesFromServer([
      { path: "changes[0].document.spec.egress[1].destination.selector", message: "a" },
      { path: 'changes[0].document.metadata.labels["a/b"]', message: "b" },
      { path: "changes[0].document", message: "c" },
      { path: "changes[0]", message: "d" },
      { path: "title", message: "e" },
    ]);
    expect(issues.map((i) => i.path)).toEqual(["spec.egress[1].destination.selector", 'metadata.labels["a/b"]', "(document)", "(document)", "title"]);
    expect(issues.every((i) => i.source === "server")).toBe(true);
    // The server formats paths like the engine.
    expect(`changes[0].document.${formatPath(["spec", "egress", 1, "destination", "selector"])}`).toBe("changes[0].document.spec.egress[1].destination.selector");
  });

  it("finds a field's issues (and its items'), and groups them per rule without mixing rule 1 and rule 10", () => {
    const issues = issuesFromServer(
      ["spec.egress[1].destination.nets[0]", "spec.egress[1]", "spec.egress[10].action", "spec.egress[1].destination.nets"].map((p) => ({ path: `changes[0].document.${p}`, message: p })),
    );
    expect(issuesAt(issues, pathKey(["spec", "egress", 1, "destination", "nets"])).map((i) => i.message)).toEqual(["spec.egress[1].destination.nets"]);
    expect(issuesAt(issues, "spec.egress[1].destination.nets", true)).toHaveLength(2);
    const g = groupByPrefix(issues, ["spec.egress[1]", "spec.egress[10]"]);
    expect(g.get("spec.egress[1]")).toHaveLength(3);
    expect(g.get("spec.egress[10]")!.map((i) => i.message)).toEqual(["spec.egress[10].action"]);
  });
});
