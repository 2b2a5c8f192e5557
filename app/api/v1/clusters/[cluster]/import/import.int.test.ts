import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as previewRoute from "@/app/api/v1/clusters/[cluster]/import/preview/route";
import * as exportRoute from "@/app/api/v1/clusters/[cluster]/export/route";
import * as draftRoute from "@/app/api/v1/clusters/[cluster]/draft/route";
import * as clusterChanges from "@/app/api/v1/clusters/[cluster]/changes/route";
import * as submit from "@/app/api/v1/changes/[id]/submit/route";
import * as review from "@/app/api/v1/changes/[id]/review/route";
import * as publish from "@/app/api/v1/changes/[id]/publish/route";
import { db } from "@/server/db";
import { parseResourcesYaml } from "@/server/policy";
import { auditRowsFor, call, makeUser, type TestUser } from "../../../../../../test/api";
import { freshDatabase } from "../../../../../../test/db";

const PUBLISHED = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: threats, labels: {feed: threats}}
spec: {nets: [198.51.100.0/24]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec: {selector: app == "web", ingress: [{action: Allow, protocol: TCP, destination: {ports: [80]}}]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db, namespace: data}
spec: {selector: app == "db", ingress: [{action: Allow, protocol: TCP, destination: {ports: [5432]}}]}
---
apiVersion: portcullis.dev/v1
kind: EgressIPPool
metadata: {name: egress}
spec: {cidrs: [192.0.2.0/28]}
---
apiVersion: portcullis.dev/v1
kind: EgressAssignment
metadata: {name: gw, namespace: shop}
spec: {pool: egress, ip: 192.0.2.5}
`;

const web = (port: number) => ({
  apiVersion: "projectcalico.org/v3",
  kind: "NetworkPolicy",
  metadata: { name: "web", namespace: "shop" },
  spec: { selector: 'app == "web"', ingress: [{ action: "Allow", protocol: "TCP", destination: { ports: [port] } }] },
});

/** Eight documents: unchanged (against the draft), update, broken selector, Kubernetes policy, taken egress IP, missing tier, YAML syntax error, duplicate. */
const IMPORT = `# a hand-written import
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec: {selector: app == "web", ingress: [{action: Allow, protocol: TCP, destination: {ports: [81]}}]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: threats, labels: {feed: threats}}
spec: {nets: [203.0.113.0/24]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: broken
  namespace: shop
spec:
  selector: app ==
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: payments}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: portcullis.dev/v1
kind: EgressAssignment
metadata: {name: gw, namespace: payments}
spec: {pool: egress, ip: 192.0.2.5}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: nowhere.audit}
spec: {tier: nowhere, selector: all()}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: bad
spec: {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: payments}
spec: {podSelector: {}, policyTypes: [Ingress]}
`;

let database: Awaited<ReturnType<typeof freshDatabase>>;
let alice: TestUser; // author: imports
let bob: TestUser; // author + approver: publishes the fixture
let vic: TestUser; // viewer

const preview = (user: TestUser, body: Record<string, unknown>) => call(previewRoute.POST, { user, params: { cluster: "c1" }, body });
const exportYaml = (user: TestUser, query: Array<[string, string]>) => {
  const qs = new URLSearchParams(query).toString();
  return call(exportRoute.GET, { user, params: { cluster: "c1" }, path: `/api/v1/clusters/c1/export?${qs}` });
};

beforeAll(async () => {
  database = await freshDatabase();
  await db().cluster.create({ data: { name: "c1", displayName: "Cluster one" } });
  alice = await makeUser("alice", ["author", "approver", "viewer"]);
  bob = await makeUser("bob", ["author", "approver", "viewer"]);
  vic = await makeUser("vic", ["viewer"]);
  const opened = await call(clusterChanges.POST, { user: bob, params: { cluster: "c1" }, body: { title: "fixture", yaml: PUBLISHED } });
  const id = opened.body.id as string;
  expect((await call(submit.POST, { user: bob, method: "POST", params: { id } })).status).toBe(200);
  expect((await call(review.POST, { user: alice, params: { id }, body: { decision: "approve" } })).status).toBe(200);
  expect((await call(publish.POST, { user: alice, method: "POST", params: { id } })).status).toBe(200);
  // Alice's draft already changes shop/web to port 81.
  const saved = await call(draftRoute.POST, { user: alice, params: { cluster: "c1" }, body: { changes: [{ op: "update", document: web(81), baseVersion: 1 }] } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
});
afterAll(async () => database.drop());

type Doc = { document: number; line: number; kind: string | null; namespace: string | null; name: string | null; action: string; against: string | null; convertedFrom: string | null; errors: Array<{ line: number; path: string; message: string }>; diff: { lines: Array<{ op: string; text: string }>; added: number; removed: number } | null; yaml: string | null };

describe("import preview", () => {
  it("reports every document: its action against the published state plus the draft, or its errors with their lines; and writes nothing", async () => {
    const r = await preview(alice, { yaml: IMPORT });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await auditRowsFor(r.requestId))).toEqual([]);
    const docs = r.body.documents as Doc[];
    expect(docs.map((d) => [d.document, d.line, d.kind, d.namespace, d.name, d.action])).toEqual([
      [1, 2, "NetworkPolicy", "shop", "web", "unchanged"],
      [2, 7, "GlobalNetworkSet", null, "threats", "update"],
      [3, 12, "NetworkPolicy", null, "broken", "error"],
      [4, 20, "NetworkPolicy", "payments", "knp.default.deny-all", "create"],
      [5, 25, "EgressAssignment", "payments", "gw", "error"],
      [6, 30, "GlobalNetworkPolicy", null, "nowhere.audit", "error"],
      [7, 35, null, null, null, "error"],
      [8, 40, "NetworkPolicy", "payments", "knp.default.deny-all", "error"],
    ]);
    const [unchanged, update, broken, k8s, egress, tier, syntax, dup] = docs as [Doc, Doc, Doc, Doc, Doc, Doc, Doc, Doc];
    // Unchanged against alice's draft (port 81), not against the published port 80.
    expect(unchanged.against).toBe("draft");
    expect(update.against).toBe("published");
    expect(update.diff!.lines.filter((l) => l.op !== "same").map((l) => `${l.op} ${l.text.trim()}`)).toEqual(["del - 198.51.100.0/24", "add - 203.0.113.0/24"]);
    expect(broken.errors).toEqual([{ line: 18, path: "spec.selector", message: expect.stringMatching(/selector/) }]);
    expect(k8s.convertedFrom).toBe("networking.k8s.io/v1 NetworkPolicy");
    expect(k8s.yaml).toContain("name: knp.default.deny-all");
    expect(egress.errors).toEqual([{ line: 25, path: "spec.ip", message: "egress ip 192.0.2.5 is already assigned by EgressAssignment shop/gw" }]);
    expect(tier.errors.map((e) => `${e.path}: ${e.message}`)).toEqual(['spec.tier: tier "nowhere" does not exist']);
    expect(syntax.errors.length).toBeGreaterThan(0);
    expect(syntax.errors[0]!.path).toBe("(yaml)");
    expect(syntax.errors[0]!.line).toBeGreaterThanOrEqual(37);
    expect(dup.errors.map((e) => e.message)).toEqual(["NetworkPolicy payments/knp.default.deny-all is also defined in document 4 (line 20)"]);
    expect(r.body.summary).toEqual({ documents: 8, create: 1, update: 1, unchanged: 1, errors: 5 });
    // Ready for the draft API: the valid creates and updates only, with the versions they are based on.
    expect((r.body.changes as Array<{ op: string; document: { kind: string; metadata: { name: string } }; baseVersion: number }>).map((c) => [c.op, c.document.kind, c.document.metadata.name, c.baseVersion])).toEqual([
      ["update", "GlobalNetworkSet", "threats", 1],
      ["create", "NetworkPolicy", "knp.default.deny-all", 0],
    ]);
    // Nothing was written: alice's draft still has just her one change.
    expect((await call(draftRoute.GET, { user: alice, params: { cluster: "c1" } })).body.draft.items).toHaveLength(1);
  });

  it("compares with the published version for someone without a draft", async () => {
    const r = await preview(vic, { yaml: IMPORT, action: "update" });
    expect((r.body.documents as Doc[]).map((d) => [d.name, d.against])).toEqual([
      ["web", "published"],
      ["threats", "published"],
    ]);
  });

  it("drops resources that depend on a broken one (a policy whose tier document fails)", async () => {
    const yaml = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: "first"}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.block}
spec: {tier: security, selector: all()}
`;
    const r = await preview(alice, { yaml });
    const docs = r.body.documents as Doc[];
    expect(docs.map((d) => d.action)).toEqual(["error", "error"]);
    expect(docs[0]!.errors[0]).toMatchObject({ line: 4, path: "spec.order" });
    expect(docs[1]!.errors[0]!.message).toBe('tier "security" does not exist');
    expect(r.body.changes).toEqual([]);
  });

  it("filters, sorts and paginates the document list on the server; the summary and changes cover the whole file", async () => {
    const errs = await preview(alice, { yaml: IMPORT, action: "error", sort: "name", pageSize: 2, page: 2 });
    expect(errs.body.total).toBe(5);
    expect((errs.body.documents as Doc[]).map((d) => d.name)).toEqual(["nowhere.audit", "gw"]);
    expect(errs.body.summary.documents).toBe(8);
    expect(errs.body.changes).toHaveLength(2);
    const q = await preview(alice, { yaml: IMPORT, q: "THREAT" });
    expect((q.body.documents as Doc[]).map((d) => d.document)).toEqual([2]);
    const bad = await preview(alice, { yaml: IMPORT, sort: "size" });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe("sort");
  });

  it("imports the valid changes into the draft, after which they preview as unchanged", async () => {
    const p = await preview(alice, { yaml: IMPORT });
    const saved = await call(draftRoute.POST, { user: alice, params: { cluster: "c1" }, body: { changes: p.body.changes } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.added).toEqual([
      { op: "update", resource: "GlobalNetworkSet threats" },
      { op: "create", resource: "NetworkPolicy payments/knp.default.deny-all" },
    ]);
    const again = await preview(alice, { yaml: IMPORT });
    expect(again.body.summary).toMatchObject({ create: 0, update: 0, unchanged: 3, errors: 5 });
  });
});

describe("export of a selection", () => {
  it("exports hand-picked resources, in dependency order, and only those", async () => {
    const r = await exportYaml(vic, [
      ["resource", "NetworkPolicy/shop/web"],
      ["resource", "GlobalNetworkSet//threats"],
    ]);
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get("content-type")).toContain("application/yaml");
    expect(r.text.split("\n")[0]).toBe("# Cluster c1, revision 1: 2 selected resource(s)");
    const parsed = parseResourcesYaml(r.text);
    expect(parsed.issues).toEqual([]);
    // The published versions (alice's draft is not exported), sets before policies.
    expect(parsed.resources.map((x) => `${x.kind}/${x.metadata.name}`)).toEqual(["GlobalNetworkSet/threats", "NetworkPolicy/web"]);
    expect(r.text).toContain("198.51.100.0/24");
    expect(r.text).toContain("- 80");
  });

  it("combines filters: a namespace and kinds narrow a selection", async () => {
    const byNs = await exportYaml(vic, [["namespace", "shop"]]);
    expect(parseResourcesYaml(byNs.text).resources.map((x) => `${x.kind}/${x.metadata.name}`)).toEqual(["NetworkPolicy/web", "EgressAssignment/gw"]);
    const both = await exportYaml(vic, [["namespace", "shop"], ["kind", "EgressAssignment"], ["kind", "EgressIPPool"]]);
    expect(parseResourcesYaml(both.text).resources.map((x) => `${x.kind}/${x.metadata.name}`)).toEqual(["EgressAssignment/gw"]);
    const picked = await exportYaml(vic, [["kind", "NetworkPolicy"], ["resource", "NetworkPolicy/data/db"], ["resource", "EgressIPPool//egress"]]);
    expect(parseResourcesYaml(picked.text).resources.map((x) => `${x.kind}/${x.metadata.name}`)).toEqual(["NetworkPolicy/db"]);
    const all = await exportYaml(vic, []);
    expect(all.text.split("\n")[0]).toBe("# Cluster c1, revision 1: 5 resource(s)");
  });

  it("refuses references that are malformed or not published, naming each", async () => {
    const missing = await exportYaml(vic, [["resource", "NetworkPolicy/shop/web"], ["resource", "NetworkPolicy/shop/nope"]]);
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([{ path: "query.resource[1]", message: "NetworkPolicy shop/nope is not in revision 1 of c1" }]);
    const malformed = await exportYaml(vic, [["resource", "NetworkPolicy/web"]]);
    expect(malformed.status).toBe(422);
    expect(malformed.body.errors[0].path).toBe("query.resource[0]");
    const unknownKind = await exportYaml(vic, [["resource", "Pod/shop/web"]]);
    expect(unknownKind.status).toBe(422);
  });
});
