import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as clusterChanges from "@/app/api/v1/clusters/[cluster]/changes/route";
import * as resources from "@/app/api/v1/clusters/[cluster]/resources/route";
import * as resourceOne from "@/app/api/v1/clusters/[cluster]/resources/[kind]/[name]/route";
import * as revisions from "@/app/api/v1/clusters/[cluster]/revisions/route";
import * as revisionOne from "@/app/api/v1/clusters/[cluster]/revisions/[n]/route";
import * as bundleRoute from "@/app/api/v1/clusters/[cluster]/revisions/[n]/bundle/route";
import * as rollback from "@/app/api/v1/clusters/[cluster]/revisions/[n]/rollback/route";
import * as changeList from "@/app/api/v1/changes/route";
import * as changeOne from "@/app/api/v1/changes/[id]/route";
import * as items from "@/app/api/v1/changes/[id]/items/route";
import * as itemOne from "@/app/api/v1/changes/[id]/items/[itemId]/route";
import * as yamlRoute from "@/app/api/v1/changes/[id]/yaml/route";
import * as submit from "@/app/api/v1/changes/[id]/submit/route";
import * as withdraw from "@/app/api/v1/changes/[id]/withdraw/route";
import * as review from "@/app/api/v1/changes/[id]/review/route";
import * as publish from "@/app/api/v1/changes/[id]/publish/route";
import * as rebase from "@/app/api/v1/changes/[id]/rebase/route";
import * as comments from "@/app/api/v1/changes/[id]/comments/route";
import * as signingKey from "@/app/api/v1/signing-key/route";
import * as settingsApprovals from "@/app/api/v1/settings/approvals/route";
import * as webhooks from "@/app/api/v1/webhooks/route";
import { verifyBundle } from "@/server/policy/bundle";
import { verifyAuditChain } from "@/server/audit/verify";
import { db } from "@/server/db";
import { drainOutbox, signBody, SIGNATURE_HEADER } from "@/server/services/webhooks/outbox";
import { auditRowsFor, call, makeUser, type TestUser } from "../../../../test/api";
import { freshDatabase } from "../../../../test/db";

const TIER = `apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: security
spec:
  order: 100
`;
const GNP = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: security.block-threats
spec:
  tier: security
  order: 10
  selector: all()
  types: [Egress]
  egress:
    - action: Deny
      destination:
        selector: threat == "true"
`;
const NETSET = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: threats
  labels:
    threat: "true"
spec:
  nets: [198.51.100.0/24]
`;
const NP = (name: string, port: number) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: shop
  labels:
    team: web
spec:
  selector: app == "web"
  ingress:
    - action: Allow
      protocol: TCP
      destination:
        ports: [${port}]
`;

let database: Awaited<ReturnType<typeof freshDatabase>>;
let alice: TestUser; // author + approver
let bob: TestUser; // approver
let carol: TestUser; // approver
let vic: TestUser; // viewer
let admin: TestUser;

async function open(user: TestUser, title: string, yaml?: string) {
  const r = await call(clusterChanges.POST, { user, params: { cluster: "c1" }, body: { title, ...(yaml ? { yaml } : {}) } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; changes: number };
}
const act = (h: typeof submit.POST, user: TestUser, id: string) => call(h, { user, method: "POST", params: { id } });
const approve = (user: TestUser, id: string, comment = "looks good") => call(review.POST, { user, params: { id }, body: { decision: "approve", comment } });

async function approved(yaml: string, title = "change") {
  const cr = await open(alice, title, yaml);
  expect((await act(submit.POST, alice, cr.id)).status).toBe(200);
  expect((await approve(bob, cr.id)).body.state).toBe("approved");
  return cr.id;
}

beforeAll(async () => {
  database = await freshDatabase();
  await db().cluster.create({ data: { name: "c1", displayName: "Cluster one" } });
  alice = await makeUser("alice", ["author", "approver", "viewer"]);
  bob = await makeUser("bob", ["approver", "viewer"]);
  carol = await makeUser("carol", ["approver"]);
  vic = await makeUser("vic", ["viewer"]);
  admin = await makeUser("root", ["admin"]);
  // Create the signing key up front so per-action audit counts are exact.
  expect((await call(signingKey.GET, { user: vic })).status).toBe(200);
});
afterAll(async () => {
  await database.drop();
});

describe("change requests: draft → submitted → approved → published", () => {
  let crId: string;
  let publicKey: string;

  it("opens a draft from pasted YAML, one audit row", async () => {
    const r = await call(clusterChanges.POST, { user: alice, params: { cluster: "c1" }, body: { title: "Security tier", yaml: [TIER, GNP, NETSET].join("---\n") } });
    expect(r.status).toBe(201);
    expect(r.body.state).toBe("draft");
    expect(r.body.changes).toBe(3);
    crId = r.body.id;
    const rows = await auditRowsFor(r.requestId);
    expect(rows.map((x) => x.action)).toEqual(["change.open"]);
  });

  it("refuses opening for a viewer and for an unknown cluster", async () => {
    expect((await call(clusterChanges.POST, { user: vic, params: { cluster: "c1" }, body: { title: "nope" } })).status).toBe(403);
    expect((await call(clusterChanges.POST, { user: alice, params: { cluster: "zz" }, body: { title: "nope" } })).status).toBe(404);
  });

  it("validates added changes with the policy engine: 422 with field paths", async () => {
    const bad = { apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "x", namespace: "shop" }, spec: { selector: "app ==", order: "high" } };
    const r = await call(items.POST, { user: alice, params: { id: crId }, body: { changes: [{ op: "create", document: bad }] } });
    expect(r.status).toBe(422);
    const paths = (r.body.errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(["changes[0].document.spec.order", "changes[0].document.spec.selector"]);
    const y = await call(yamlRoute.POST, { user: alice, params: { id: crId }, body: { yaml: "kind: Tier\napiVersion: projectcalico.org/v3\nmetadata: {name: Bad_Name}\n" } });
    expect(y.status).toBe(422);
    expect(y.body.errors[0].path).toBe("yaml.documents[0].metadata.name");
    // An update of something that does not exist is refused too.
    const u = await call(items.POST, { user: alice, params: { id: crId }, body: { changes: [{ op: "delete", resource: { kind: "Tier", name: "ghost" } }] } });
    expect(u.status).toBe(422);
    expect(u.body.errors[0].path).toBe("changes[0]");
  });

  it("adds and removes a change; only the author may edit", async () => {
    const r = await call(yamlRoute.POST, { user: alice, params: { id: crId }, body: { yaml: NP("web", 80) } });
    expect(r.status).toBe(200);
    expect((await auditRowsFor(r.requestId)).map((x) => x.action)).toEqual(["change.items.add"]);
    expect((await call(yamlRoute.POST, { user: bob, params: { id: crId }, body: { yaml: NP("web", 80) } })).status).toBe(403);
    const detail = await call(changeOne.GET, { user: alice, params: { id: crId } });
    const np = (detail.body.items as Array<{ id: string; kind: string }>).find((i) => i.kind === "NetworkPolicy")!;
    const del = await call(itemOne.DELETE, { user: alice, method: "DELETE", params: { id: crId, itemId: np.id } });
    expect(del.status).toBe(200);
    expect((await auditRowsFor(del.requestId)).map((x) => x.action)).toEqual(["change.items.remove"]);
    expect((await call(changeOne.GET, { user: alice, params: { id: crId } })).body.items).toHaveLength(3);
  });

  it("submits; the author cannot approve their own request (no button, 403)", async () => {
    const s = await act(submit.POST, alice, crId);
    expect(s.status).toBe(200);
    expect(s.body.state).toBe("submitted");
    expect((await auditRowsFor(s.requestId)).map((x) => x.action)).toEqual(["change.submit"]);
    const mine = await call(changeOne.GET, { user: alice, params: { id: crId } });
    expect(mine.body.allowed.approve).toBe(false);
    expect(mine.body.allowed.reject).toBe(false);
    const self = await approve(alice, crId);
    expect(self.status).toBe(403);
    expect(await auditRowsFor(self.requestId)).toHaveLength(0);
    const theirs = await call(changeOne.GET, { user: bob, params: { id: crId } });
    expect(theirs.body.allowed.approve).toBe(true);
    expect(theirs.body.allowed.edit).toBe(false);
    const viewer = await call(changeOne.GET, { user: vic, params: { id: crId } });
    expect(viewer.body.allowed).toMatchObject({ approve: false, publish: false, edit: false });
    expect((await approve(vic, crId)).status).toBe(403);
  });

  it("shows a YAML diff per resource", async () => {
    const d = await call(changeOne.GET, { user: bob, params: { id: crId } });
    const tier = (d.body.items as Array<{ kind: string; beforeYaml: string; afterYaml: string; diff: Array<{ op: string; text: string }> }>).find((i) => i.kind === "Tier")!;
    expect(tier.beforeYaml).toBe("");
    expect(tier.afterYaml).toContain("name: security");
    expect(tier.diff.every((l) => l.op === "add")).toBe(true);
    expect(d.body.tiers).toEqual(["security"]);
  });

  it("an approver approves; comments thread on the request", async () => {
    const c = await call(comments.POST, { user: vic, params: { id: crId }, body: { body: "why 198.51.100.0/24?" } });
    expect(c.status).toBe(201);
    expect((await auditRowsFor(c.requestId)).map((x) => x.action)).toEqual(["change.comment"]);
    const a = await approve(bob, crId, "threat feed, fine");
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ state: "approved", approvals: 1, required: 1 });
    expect((await auditRowsFor(a.requestId)).map((x) => x.action)).toEqual(["change.approve"]);
    expect((await approve(bob, crId)).status).toBe(409);
    const d = await call(changeOne.GET, { user: bob, params: { id: crId } });
    expect(d.body.comments.map((x: { body: string }) => x.body)).toEqual(["why 198.51.100.0/24?", "threat feed, fine"]);
    expect(d.body.allowed.publish).toBe(true);
  });

  it("publishes revision 1 with its changes, a signed bundle and a NOTIFY", async () => {
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    await listener.query("LISTEN portcullis_revisions");
    const notified = new Promise<string>((resolve) => listener.on("notification", (n) => resolve(n.payload ?? "")));
    expect((await act(publish.POST, vic, crId)).status).toBe(403);
    const p = await act(publish.POST, bob, crId);
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body.revision).toBe(1);
    expect((await auditRowsFor(p.requestId)).map((x) => x.action)).toEqual(["change.publish"]);
    expect(await notified).toBe("c1:1");
    await listener.end();

    const revs = await call(revisions.GET, { user: vic, params: { cluster: "c1" } });
    expect(revs.body.items).toHaveLength(1);
    expect(revs.body.items[0]).toMatchObject({ number: 1, publishedBy: "bob", resourceCount: 3, changeCount: 3 });
    const rev = await call(revisionOne.GET, { user: vic, params: { cluster: "c1", n: "1" } });
    expect(rev.body.changes.map((c: { kind: string; op: string }) => `${c.op} ${c.kind}`).sort()).toEqual(["create GlobalNetworkPolicy", "create GlobalNetworkSet", "create Tier"]);

    const key = await call(signingKey.GET, { user: vic });
    publicKey = key.body.publicKey;
    const b = await call(bundleRoute.GET, { user: vic, params: { cluster: "c1", n: "1" } });
    expect(b.status).toBe(200);
    const payload = verifyBundle(b.body, publicKey, { cluster: "c1" });
    expect(payload.revision).toBe(1);
    expect(payload.resources.map((r) => (r as { kind: string }).kind)).toEqual(["GlobalNetworkPolicy", "GlobalNetworkSet", "Tier"]);
    expect(() => verifyBundle({ ...b.body, payload: b.body.payload.replace("198.51.100.0", "198.51.100.1") }, publicKey, { cluster: "c1" })).toThrow(/signature/);
    // A published request is immutable.
    expect((await call(yamlRoute.POST, { user: alice, params: { id: crId }, body: { yaml: NP("web", 80) } })).status).toBe(409);
    expect((await act(withdraw.POST, alice, crId)).status).toBe(409);
  });

  it("lists and reads the current resources with version and revision", async () => {
    const all = await call(resources.GET, { user: vic, params: { cluster: "c1" } });
    expect(all.body.total).toBe(3);
    expect(all.body.revision).toBe(1);
    const sets = await call(resources.GET, { user: vic, params: { cluster: "c1" }, query: { label: "threat=true" } });
    expect(sets.body.items.map((i: { name: string }) => i.name)).toEqual(["threats"]);
    const byKind = await call(resources.GET, { user: vic, params: { cluster: "c1" }, query: { kind: "Tier", q: "sec" } });
    expect(byKind.body.items).toEqual([expect.objectContaining({ kind: "Tier", name: "security", version: 1, revision: 1 })]);
    const one = await call(resourceOne.GET, { user: vic, params: { cluster: "c1", kind: "GlobalNetworkSet", name: "threats" } });
    expect(one.body.yaml).toContain("198.51.100.0/24");
    expect((await call(resourceOne.GET, { user: vic, params: { cluster: "c1", kind: "Tier", name: "nope" } })).status).toBe(404);
  });
});

describe("approval rules", () => {
  it("the per-tier override needs more approvals; any change resets them", async () => {
    const s = await call(settingsApprovals.PUT, { user: admin, method: "PUT", body: { requiredApprovals: 1, tierOverrides: { security: 2 }, autoPublish: false } });
    expect(s.status).toBe(200);
    expect((await auditRowsFor(s.requestId)).map((x) => x.action)).toEqual(["settings.approvals.update"]);
    expect((await call(settingsApprovals.PUT, { user: alice, method: "PUT", body: { requiredApprovals: 1, tierOverrides: {}, autoPublish: false } })).status).toBe(403);

    const cr = await open(alice, "tighten", GNP.replace("order: 10", "order: 5"));
    await act(submit.POST, alice, cr.id);
    const first = await approve(bob, cr.id);
    expect(first.body).toMatchObject({ state: "submitted", approvals: 1, required: 2 });
    expect((await act(publish.POST, bob, cr.id)).status).toBe(409);
    // The author changes the request: approvals reset.
    const edit = await call(yamlRoute.POST, { user: alice, params: { id: cr.id }, body: { yaml: GNP.replace("order: 10", "order: 6") } });
    expect(edit.body.state).toBe("submitted");
    const after = await call(changeOne.GET, { user: bob, params: { id: cr.id } });
    expect(after.body.approvalsCount).toBe(0);
    expect(after.body.approvalsRequired).toBe(2);
    expect(after.body.allowed.approve).toBe(true);
    expect((await approve(bob, cr.id)).body.state).toBe("submitted");
    expect((await approve(carol, cr.id)).body).toMatchObject({ state: "approved", approvals: 2 });
    expect((await act(publish.POST, carol, cr.id)).body.revision).toBe(2);
    await call(settingsApprovals.PUT, { user: admin, method: "PUT", body: { requiredApprovals: 1, tierOverrides: {}, autoPublish: false } });
  });

  it("a rejected request is final; a withdrawn one too", async () => {
    const cr = await open(alice, "meh", NP("meh", 81));
    await act(submit.POST, alice, cr.id);
    const r = await call(review.POST, { user: bob, params: { id: cr.id }, body: { decision: "reject", comment: "no" } });
    expect(r.body.state).toBe("rejected");
    expect((await auditRowsFor(r.requestId)).map((x) => x.action)).toEqual(["change.reject"]);
    expect((await approve(carol, cr.id)).status).toBe(409);
    const w = await open(alice, "later", NP("later", 82));
    const wr = await act(withdraw.POST, alice, w.id);
    expect(wr.body.state).toBe("withdrawn");
    expect((await auditRowsFor(wr.requestId)).map((x) => x.action)).toEqual(["change.withdraw"]);
  });

  it("validates the whole request on submit: tier exists, egress IPs not double-assigned", async () => {
    const orphan = NP("orphan", 90).replace("spec:\n", "spec:\n  tier: missing\n");
    const cr = await open(alice, "orphan", orphan);
    const s = await act(submit.POST, alice, cr.id);
    expect(s.status).toBe(422);
    expect(s.body.errors).toEqual([{ path: "changes[0].document.spec.tier", message: 'tier "missing" does not exist' }]);
    const pool = `apiVersion: portcullis.dev/v1
kind: EgressIPPool
metadata: {name: egress}
spec: {cidrs: [192.0.2.0/28]}
`;
    const assign = (ns: string, ip: string) => `apiVersion: portcullis.dev/v1
kind: EgressAssignment
metadata: {name: gw, namespace: ${ns}}
spec: {pool: egress, ip: ${ip}}
`;
    const cr2 = await open(alice, "egress", [pool, assign("a", "192.0.2.1"), assign("b", "192.0.2.1"), assign("c", "192.0.2.99")].join("---\n"));
    const s2 = await act(submit.POST, alice, cr2.id);
    expect(s2.status).toBe(422);
    const msgs = (s2.body.errors as Array<{ path: string; message: string }>).map((e) => `${e.path}: ${e.message}`);
    expect(msgs).toEqual([
      "changes[2].document.spec.ip: egress ip 192.0.2.1 is already assigned by EgressAssignment a/gw",
      'changes[3].document.spec.ip: ip 192.0.2.99 is not inside pool "egress" (192.0.2.0/28)',
    ]);
  });
});

describe("conflicts and concurrency", () => {
  it("a request whose base moved becomes conflicted and can be rebased", async () => {
    const a = await approved(NP("shared", 100), "first");
    const pa = await act(publish.POST, bob, a);
    expect(pa.status).toBe(200);
    const b = await approved(NP("shared", 201), "second");
    const c = await approved(NP("shared", 300), "third");
    expect((await act(publish.POST, bob, b)).status).toBe(200);
    const cState = await call(changeOne.GET, { user: alice, params: { id: c } });
    expect(cState.body.state).toBe("conflicted");
    expect(cState.body.conflicts[0]).toMatchObject({ kind: "NetworkPolicy", namespace: "shop", name: "shared" });
    const pc = await act(publish.POST, bob, c);
    expect(pc.status).toBe(409);
    expect(cState.body.allowed.rebase).toBe(true);
    const rb = await act(rebase.POST, alice, c);
    expect(rb.status).toBe(200);
    expect((await auditRowsFor(rb.requestId)).map((x) => x.action)).toEqual(["change.rebase"]);
    expect((await act(submit.POST, alice, c)).status).toBe(200);
    expect((await approve(bob, c)).body.state).toBe("approved");
    expect((await act(publish.POST, bob, c)).status).toBe(200);
    const r = await call(resourceOne.GET, { user: vic, params: { cluster: "c1", kind: "NetworkPolicy", name: "shared" }, query: { namespace: "shop" } });
    expect(r.body.version).toBe(3);
    expect(r.body.yaml).toContain("- 300");
  });

  it("racing publishes: disjoint requests give consecutive revisions, overlapping ones one conflict", async () => {
    const before = (await call(revisions.GET, { user: vic, params: { cluster: "c1" } })).body.current as number;
    const ids = await Promise.all(["r1", "r2", "r3", "r4"].map((n, i) => approved(NP(n, 1000 + i), `disjoint ${n}`)));
    const results = await Promise.all(ids.map((id) => act(publish.POST, bob, id)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(results.map((r) => r.body.revision as number).sort((x, y) => x - y)).toEqual([before + 1, before + 2, before + 3, before + 4]);

    // Two requests updating the same resource, published at the same time (real concurrent transactions).
    const x = await approved(NP("r1", 2001), "race x");
    const y = await approved(NP("r1", 2002), "race y");
    const [px, py] = await Promise.all([act(publish.POST, bob, x), act(publish.POST, carol, y)]);
    expect([px.status, py.status].sort()).toEqual([200, 409]);
    const winner = px.status === 200 ? 2001 : 2002;
    const r1 = await call(resourceOne.GET, { user: vic, params: { cluster: "c1", kind: "NetworkPolicy", name: "r1" }, query: { namespace: "shop" } });
    expect(r1.body.version).toBe(2);
    expect(r1.body.yaml).toContain(`- ${winner}`);
    const revs = await call(revisions.GET, { user: vic, params: { cluster: "c1" }, query: { pageSize: "200" } });
    const numbers = (revs.body.items as Array<{ number: number }>).map((r) => r.number);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => numbers.length - i));
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it("proposes a rollback that restores revision K exactly", async () => {
    const target = 1;
    const r = await call(rollback.POST, { user: alice, method: "POST", params: { cluster: "c1", n: String(target) } });
    expect(r.status).toBe(201);
    expect((await auditRowsFor(r.requestId)).map((x) => x.action)).toEqual(["change.open"]);
    expect(r.body.rollbackOf).toBe(target);
    await act(submit.POST, alice, r.body.id);
    expect((await approve(bob, r.body.id)).body.state).toBe("approved");
    const p = await act(publish.POST, bob, r.body.id);
    expect(p.status).toBe(200);
    const b1 = await call(bundleRoute.GET, { user: vic, params: { cluster: "c1", n: String(target) } });
    const bn = await call(bundleRoute.GET, { user: vic, params: { cluster: "c1", n: String(p.body.revision) } });
    expect(JSON.parse(bn.body.payload).resources).toEqual(JSON.parse(b1.body.payload).resources);
    // Nothing left to roll back to.
    expect((await call(rollback.POST, { user: alice, method: "POST", params: { cluster: "c1", n: String(target) } })).status).toBe(409);
  });

  it("lists change requests with state filters", async () => {
    const pub = await call(changeList.GET, { user: vic, query: { cluster: "c1", state: "published", pageSize: "100" } });
    expect(pub.body.items.length).toBeGreaterThan(5);
    expect(pub.body.items.every((i: { state: string }) => i.state === "published")).toBe(true);
    const mine = await call(changeList.GET, { user: alice, query: { mine: "true", state: "rejected" } });
    expect(mine.body.items.map((i: { title: string }) => i.title)).toEqual(["meh"]);
  });
});

describe("webhooks", () => {
  let server: Server;
  const received: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
  const status = 200;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.statusCode = status;
        res.end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("delivers signed events; failures are retried and visible, and never block a publish", async () => {
    const port = (server.address() as AddressInfo).port;
    const secret = "s3cret-s3cret-s3cret";
    const w = await call(webhooks.POST, { user: admin, body: { url: `http://127.0.0.1:${port}/hook`, secret, events: ["change.submitted", "change.published"] } });
    expect(w.status).toBe(201);
    expect(w.body.secret).toBeUndefined();
    const dead = await call(webhooks.POST, { user: admin, body: { url: "http://127.0.0.1:9/nowhere", secret, events: ["change.published"] } });
    expect(dead.status).toBe(201);
    expect((await call(webhooks.POST, { user: alice, body: { url: "http://x.test/", secret, events: ["change.published"] } })).status).toBe(403);

    const id = await approved(NP("hooked", 7070), "hooked");
    const p = await act(publish.POST, bob, id);
    expect(p.status).toBe(200);
    const drained = await drainOutbox({ baseBackoffMs: 1 });
    expect(drained).toEqual({ delivered: 2, failed: 1 });
    expect(received.map((r) => r.headers["x-portcullis-event"])).toEqual(["change.submitted", "change.published"]);
    for (const r of received) expect(r.headers[SIGNATURE_HEADER]).toBe(signBody(secret, r.body));
    const published = JSON.parse(received[1]!.body) as { event: string; data: { revision: number; cluster: string } };
    expect(published.data).toMatchObject({ cluster: "c1", revision: p.body.revision });

    const list = await call(webhooks.GET, { user: admin });
    const deadRow = (list.body.items as Array<{ id: string; pending: number }>).find((h) => h.id === dead.body.id)!;
    expect(deadRow.pending).toBe(1);
    const failedDelivery = (list.body.deliveries as Array<{ webhookId: string; lastError: string | null; attempts: number }>).find((d) => d.webhookId === dead.body.id)!;
    expect(failedDelivery.attempts).toBe(1);
    expect(failedDelivery.lastError).toMatch(/fetch failed|ECONNREFUSED/);
    // A retry after the backoff fails again and is counted.
    await new Promise((r) => setTimeout(r, 20));
    expect(await drainOutbox({ baseBackoffMs: 1 })).toEqual({ delivered: 0, failed: 1 });
  });
});
