import { describe, expect, it } from "vitest";
import { setIn, type Doc } from "./document";
import { validateDocument } from "./issues";
import { docToYaml, yamlToDoc } from "./yaml-doc";

const RICH = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: rich
  labels:
    owner: netops
  annotations:
    ticket: SEC-42
spec:
  tier: default
  order: 10
  selector: app == "web"
  namespaceSelector: team == "shop"
  types:
    - Ingress
    - Egress
  ingress:
    - action: Allow
      metadata:
        annotations:
          reason: health checks
      protocol: TCP
      http:
        methods: [GET]
        paths:
          - prefix: /healthz
      destination:
        ports: [8080]
  egress:
    - action: Allow
      protocol: ICMP
      icmp:
        type: 8
        code: 0
    - action: Allow
      destination:
        domains: ["*.example.com"]
`;

describe("YAML <-> document", () => {
  it("keeps fields the form does not model through YAML -> form edit -> YAML", () => {
    const read = yamlToDoc(RICH);
    expect(read.blocking).toEqual([]);
    expect(read.issues).toEqual([]);
    // The form edits one field of the raw document.
    const edited = setIn(read.doc!, ["spec", "order"], 20);
    const again = yamlToDoc(docToYaml(edited));
    expect(again.doc).toEqual(setIn(read.doc!, ["spec", "order"], 20));
    const text = docToYaml(edited);
    for (const kept of ["ticket: SEC-42", "reason: health checks", "prefix: /healthz", "type: 8", "code: 0", '"*.example.com"']) {
      expect(text).toContain(kept);
    }
    expect(validateDocument(again.doc!).issues).toEqual([]);
  });

  it("prints in Calico's key order", () => {
    const doc: Doc = { spec: { selector: "all()", order: 1 }, metadata: { namespace: "a", name: "b" }, kind: "NetworkPolicy", apiVersion: "projectcalico.org/v3" };
    expect(docToYaml(doc)).toBe("apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: b\n  namespace: a\nspec:\n  order: 1\n  selector: all()\n");
  });

  it("keeps a document the schema rejects, with located issues", () => {
    const read = yamlToDoc("apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: x\nspec:\n  selector: app ==\n");
    expect(read.doc).not.toBeNull();
    expect(read.issues).toHaveLength(1);
    expect(read.issues[0]).toMatchObject({ path: "spec.selector", line: 6 });
  });

  it("blocks syntax errors, several documents and other kinds", () => {
    expect(yamlToDoc("a: [").blocking[0]!.path).toBe("(yaml)");
    expect(yamlToDoc("kind: NetworkPolicy\n---\nkind: NetworkPolicy\n").blocking[0]!.message).toMatch(/one policy at a time/);
    expect(yamlToDoc("kind: NetworkSet\n").blocking[0]!.message).toMatch(/NetworkSet/);
    expect(yamlToDoc("").blocking[0]!.message).toMatch(/no resource/);
  });
});
