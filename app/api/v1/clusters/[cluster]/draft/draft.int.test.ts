import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as draftRoute from "@/app/api/v1/clusters/[cluster]/draft/route";
import * as resourceOne from "@/app/api/v1/clusters/[cluster]/resources/[kind]/[name]/route";
import * as clusterChanges from "@/app/api/v1/clusters/[cluster]/changes/route";
import * as submit from "@/app/api/v1/changes/[id]/submit/route";
import * as review from "@/app/api/v1/changes/[id]/review/route";
import * as publish from "@/app/api/v1/changes/[id]/publish/route";
import * as items from "@/app/api/v1/changes/[id]/items/route";
import { db } from "@/server/db";
import { auditRowsFor, call, makeUser, type TestUser } from "../../../../../../test/api";
import { freshDatabase } from "../../../../../../test/db";

const NP = (name: string, port: number) => ({
  apiVersion: "projectcalico.org/v3",
  kind: "NetworkPolicy",
  metadata: { name, namespace: "shop" },
  spec: { selector: 'app == "web"', ingress: [{ action: "Allow", protocol: "TCP", destination: { ports: [port] } }] },
});

let database: Awaited<ReturnType<typeof freshDatabase>>;
let alice: TestUser; // author
let bob: TestUser; // author + approver
let vic: TestUser; // viewer

const save = (user: TestUser, body: unknown) => call(draftRoute.POST, { user, params: { cluster: "c1" }, body });
const mine = (user: TestUser) => call(draftRoute.GET, { user, params: { cluster: "c1" } });

/** Publishes `doc` through a change request by bob, approved by alice; returns the published version. */
async function publishAsBob(doc: ReturnType<typeof NP>, op: "create" | "update") {
  const opened = await call(clusterChanges.POST, { user: bob, params: { cluster: "c1" }, body: { title: `publish ${doc.metadata.name}` } });
  const id = opened.body.id as string;
  
  expect((await call(items.POST, { user: bob, params: { id }, body: { changes: [{ op, document: doc }] } })).status).toBe(200);
  expect((await call(submit.POST, { user: bob, method: "POST", params: { id } })).status).toBe(200);
  expect((await call(review.POST, { user: alice, params: { id }, body: { decision: "approve" } })).status).toBe(200);
  expect((await call(publish.POST, { user: alice, method: "POST", params: { id } })).status).toBe(200);
  const r = await call(resourceOne.GET, { user: vic, params: { cluster: "c1", kind: "NetworkPolicy", name: doc.metadata.name }, query: { namespace: "shop" } });
  return r.body.version as number;
}

beforeAll(async () => {
  database = await freshDatabase();
  await db().cluster.create({ data: { name: "c1", displayName: "Cluster one" } });
  alice = await makeUser("alice", ["author", "approver", "viewer"]);
  bob = await makeUser("bob", ["author", "approver", "viewer"]);
  vic = await makeUser("vic", ["viewer"]);
});
afterAll(async () => database.drop());

describe("save to draft", () => {
  it("has no draft at first, then opens one on the first save with one audit row", async () => {
    expect((await mine(alice)).body.draft).toBeNull();
    const r = await save(alice, { changes: [{ op: "create", document: NP("web-a", 80), baseVersion: 0 }] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.created).toBe(true);
    expect(r.body.added).toEqual([{ op: "create", resource: "NetworkPolicy shop/web-a" }]);
    expect((await auditRowsFor(r.requestId)).map((x) => x.action)).toEqual(["change.draft.save"]);
    const d = (await mine(alice)).body.draft;
    expect(d.id).toBe(r.body.id);
    expect(d.items).toHaveLength(1);
    expect(d.items[0]).toMatchObject({ op: "create", kind: "NetworkPolicy", namespace: "shop", name: "web-a", baseVersion: 0 });
  });

  it("adds to the same draft; saving a drafted resource again replaces its change and stays a create", async () => {
    const first = (await mine(alice)).body.draft.id;
    const r1 = await save(alice, { changes: [{ op: "create", document: NP("web-b", 81) }] });
    expect(r1.body).toMatchObject({ id: first, created: false });
    // The editor reopened web-a from the draft and calls it an update: it is still a create.
    const r2 = await save(alice, { changes: [{ op: "update", document: NP("web-a", 8080), baseVersion: 0 }] });
    expect(r2.status, JSON.stringify(r2.body)).toBe(200);
    expect(r2.body.added).toEqual([{ op: "create", resource: "NetworkPolicy shop/web-a" }]);
    const d = (await mine(alice)).body.draft;
    expect(d.items.map((i: { name: string }) => i.name)).toEqual(["web-a", "web-b"]);
    const a = d.items.find((i: { name: string }) => i.name === "web-a");
    expect(a.op).toBe("create");
    expect(a.document.spec.ingress[0].destination.ports).toEqual([8080]);
  });

  it("keeps drafts per user: bob does not see or write alice's draft", async () => {
    expect((await mine(bob)).body.draft).toBeNull();
    expect((await mine(vic)).body.draft).toBeNull();
  });

  it("refuses a viewer, bad documents with field paths, and loses nothing", async () => {
    expect((await save(vic, { changes: [{ op: "create", document: NP("web-v", 80) }] })).status).toBe(403);
    const bad = { ...NP("web-c", 80), spec: { selector: "app ==", order: "first" } };
    const r = await save(alice, { changes: [{ op: "create", document: NP("web-ok", 82) }, { op: "create", document: bad }] });
    expect(r.status).toBe(422);
    expect((r.body.errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual(["changes[1].document.spec.order", "changes[1].document.spec.selector"]);
    const d = (await mine(alice)).body.draft;
    expect(d.items.map((i: { name: string }) => i.name)).toEqual(["web-a", "web-b"]);
    const neither = await save(alice, { title: "x y z" });
    expect(neither.status).toBe(422);
  });

  it("refuses an edit whose base version moved (optimistic concurrency), and accepts the current one", async () => {
    const v1 = await publishAsBob(NP("shared", 443), "create");
    expect(v1).toBeGreaterThan(0);
    // Alice opens it at v1; meanwhile bob publishes an update.
    const v2 = await publishAsBob(NP("shared", 8443), "update");
    expect(v2).toBeGreaterThan(v1);
    const stale = await save(alice, { changes: [{ op: "update", document: NP("shared", 9443), baseVersion: v1 }] });
    expect(stale.status).toBe(409);
    expect(stale.body.detail).toMatch(/NetworkPolicy shop\/shared was changed in revision \d+ since you opened it \(you started from version \d+, it is now version \d+\)/);
    const d = (await mine(alice)).body.draft;
    expect(d.items.some((i: { name: string }) => i.name === "shared")).toBe(false);
    const fresh = await save(alice, { changes: [{ op: "update", document: NP("shared", 9443), baseVersion: v2 }] });
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
    // A "new" resource someone else created meanwhile is a conflict too, not an overwrite.
    const created = await save(alice, { changes: [{ op: "update", document: NP("shared", 9444), baseVersion: 0 }] });
    expect(created.status).toBe(409);
    expect(created.body.detail).toMatch(/was created in revision/);
  });

  it("takes pasted YAML into the draft (create or update decided against the store)", async () => {
    const yaml = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: partners\nspec:\n  nets: [192.0.2.0/24]\n";
    const r = await save(alice, { yaml });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.added).toEqual([{ op: "create", resource: "GlobalNetworkSet partners" }]);
  });

  it("concurrent first saves by one user still make a single draft", async () => {
    const [a, b] = await Promise.all([
      save(bob, { changes: [{ op: "create", document: NP("race-a", 80) }] }),
      save(bob, { changes: [{ op: "create", document: NP("race-b", 81) }] }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.id).toBe(b.body.id);
    expect([a.body.created, b.body.created].sort()).toEqual([false, true]);
  });
});
