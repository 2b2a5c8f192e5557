import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as freeIps from "@/app/api/v1/clusters/[cluster]/egress/pools/[pool]/free-ips/route";
import * as egressView from "@/app/api/v1/clusters/[cluster]/egress/route";
import * as firewall from "@/app/api/v1/clusters/[cluster]/egress/firewall/route";
import * as draftRoute from "@/app/api/v1/clusters/[cluster]/draft/route";
import * as clusterChanges from "@/app/api/v1/clusters/[cluster]/changes/route";
import * as submit from "@/app/api/v1/changes/[id]/submit/route";
import * as review from "@/app/api/v1/changes/[id]/review/route";
import * as publish from "@/app/api/v1/changes/[id]/publish/route";
import { db } from "@/server/db";
import { validateRequest, type LiveResource } from "@/server/services/changes/store";
import { call, makeUser, type TestUser } from "../../../../../../test/api";
import { freshDatabase } from "../../../../../../test/db";

const PUBLISHED = `apiVersion: portcullis.dev/v1
kind: EgressIPPool
metadata: {name: egress}
spec: {cidrs: [192.0.2.0/28], gatewayNodeSelector: egress == "true"}
---
apiVersion: portcullis.dev/v1
kind: EgressAssignment
metadata: {name: gw, namespace: shop}
spec: {pool: egress, ip: 192.0.2.5}
---
apiVersion: portcullis.dev/v1
kind: EgressAssignment
metadata: {name: gw, namespace: analytics}
spec: {pool: egress}
`;

const assignment = (namespace: string, ip?: string) => ({
  apiVersion: "portcullis.dev/v1",
  kind: "EgressAssignment",
  metadata: { name: "gw", namespace },
  spec: { pool: "egress", ...(ip ? { ip } : {}) },
});

let database: Awaited<ReturnType<typeof freshDatabase>>;
let alice: TestUser; // author with a draft
let bob: TestUser; // author + approver without a draft

const free = (user: TestUser, query: Record<string, string> = {}, pool = "egress") => call(freeIps.GET, { user, params: { cluster: "c1", pool }, query });
const save = (user: TestUser, body: unknown) => call(draftRoute.POST, { user, params: { cluster: "c1" }, body });

beforeAll(async () => {
  database = await freshDatabase();
  await db().cluster.create({ data: { name: "c1", displayName: "Cluster one" } });
  alice = await makeUser("alice", ["author", "approver", "viewer"]);
  bob = await makeUser("bob", ["author", "approver", "viewer"]);
  const opened = await call(clusterChanges.POST, { user: bob, params: { cluster: "c1" }, body: { title: "egress fixture", yaml: PUBLISHED } });
  const id = opened.body.id as string;
  expect((await call(submit.POST, { user: bob, method: "POST", params: { id } })).status).toBe(200);
  expect((await call(review.POST, { user: alice, params: { id }, body: { decision: "approve" } })).status).toBe(200);
  expect((await call(publish.POST, { user: alice, method: "POST", params: { id } })).status).toBe(200);
  // Alice's draft gives payments 192.0.2.2.
  const saved = await save(alice, { changes: [{ op: "create", document: assignment("payments", "192.0.2.2"), baseVersion: 0 }] });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
});
afterAll(async () => database.drop());

describe("free egress IPs of a pool", () => {
  it("leaves out addresses taken in the published state and in the caller's draft, and says who holds them", async () => {
    const r = await free(alice, { pageSize: "4" });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // /28: 14 usable (network and broadcast skipped); .1 auto-allocated to analytics, .2 in the draft, .5 published.
    expect(r.body).toMatchObject({ usable: 14, free: 11, total: 11, page: 1, pageSize: 4 });
    expect(r.body.items).toEqual(["192.0.2.3", "192.0.2.4", "192.0.2.6", "192.0.2.7"]);
    expect(r.body.assigned).toEqual([
      { ip: "192.0.2.1", namespace: "analytics", name: "gw", pool: "egress", requested: false, inDraft: false },
      { ip: "192.0.2.2", namespace: "payments", name: "gw", pool: "egress", requested: true, inDraft: true },
      { ip: "192.0.2.5", namespace: "shop", name: "gw", pool: "egress", requested: true, inDraft: false },
    ]);
    expect(r.body.draft).toMatchObject({ id: expect.any(String) });
    expect(r.body.pool).toMatchObject({ name: "egress", cidrs: ["192.0.2.0/28"], gatewayNodeSelector: 'egress == "true"', inDraft: false });
  });

  it("offers another user's drafted address: drafts are per user", async () => {
    const r = await free(bob, { pageSize: "2" });
    expect(r.body.items).toEqual(["192.0.2.2", "192.0.2.3"]);
    expect(r.body.free).toBe(12);
    expect(r.body.draft).toBeNull();
  });

  it("pages from an address on", async () => {
    const r = await free(alice, { from: "192.0.2.10", pageSize: "3", page: "2" });
    expect(r.body.total).toBe(5);
    expect(r.body.items).toEqual(["192.0.2.13", "192.0.2.14"]);
  });

  it("for the assignment being edited: its own address is free, and auto-allocation says what it would get and who would move", async () => {
    const shop = await free(alice, { namespace: "shop", name: "gw", pageSize: "3" });
    expect(shop.body.free).toBe(12);
    expect(shop.body.assigned.map((a: { namespace: string }) => a.namespace)).toEqual(["analytics", "payments"]);
    expect(shop.body.auto).toEqual({ ip: "192.0.2.3", problem: null, moves: [] });
    // "aaa/gw" sorts before analytics/gw: the allocator gives it .1 and analytics moves.
    const first = await free(alice, { namespace: "aaa", name: "gw" });
    expect(first.body.auto).toEqual({ ip: "192.0.2.1", problem: null, moves: [{ namespace: "analytics", name: "gw", from: "192.0.2.1", to: "192.0.2.3" }] });
  });

  it("answers an unknown pool with 404 and a bad address with 422", async () => {
    expect((await free(alice, {}, "nope")).status).toBe(404);
    const bad = await free(alice, { from: "2001:db8::1" });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe("query.from");
    expect((await free(alice, { namespace: "shop" })).status).toBe(422);
  });

  it("counts usable addresses in the egress view the way the allocator does", async () => {
    const v = await call(egressView.GET, { user: alice, params: { cluster: "c1" } });
    expect(v.body.pools[0]).toMatchObject({ name: "egress", size: 14, used: 2, version: 1 });
  });
});

describe("the firewall view", () => {
  const fw = (query: Record<string, string>) => call(firewall.GET, { user: bob, params: { cluster: "c1" }, query });

  it("filters, sorts and pages on the server", async () => {
    const all = await fw({});
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(2);
    expect(all.body.items.map((r: { namespace: string }) => r.namespace)).toEqual(["analytics", "shop"]);
    const byIpDesc = await fw({ sort: "ip", dir: "desc" });
    expect(byIpDesc.body.items.map((r: { egressIp: string }) => r.egressIp)).toEqual(["192.0.2.5", "192.0.2.1"]);
    const found = await fw({ q: "192.0.2.5" });
    expect(found.body.items).toEqual([expect.objectContaining({ namespace: "shop", assignment: "gw", egressIp: "192.0.2.5", pool: "egress", status: "unknown" })]);
    const second = await fw({ pageSize: "1", page: "2" });
    expect(second.body.total).toBe(2);
    expect(second.body.items.map((r: { namespace: string }) => r.namespace)).toEqual(["shop"]);
    expect((await fw({ sort: "size" })).status).toBe(422);
  });

  it("exports every matching row as CSV or JSON, not one page", async () => {
    const csv = await fw({ format: "csv", pageSize: "1" });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toBe('attachment; filename="egress-c1.csv"');
    const lines = csv.text.trim().split("\n");
    expect(lines[0]).toBe("namespace,assignment,egressIp,pool,destinations,gatewayNode,status,lastChangeRevision,lastChangeAt,lastChangeBy");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^shop,gw,192\.0\.2\.5,egress,everything outside the cluster,,unknown,1,/);
    const json = await fw({ format: "json", q: "analytics" });
    expect(JSON.parse(json.text)).toEqual([expect.objectContaining({ namespace: "analytics", egressIp: "192.0.2.1" })]);
  });
});

describe("saving an egress assignment into a draft", () => {
  it("refuses an address another assignment holds, naming the holder (published or drafted)", async () => {
    const published = await save(alice, { changes: [{ op: "create", document: assignment("web", "192.0.2.5"), baseVersion: 0 }] });
    expect(published.status).toBe(422);
    expect(published.body.errors).toEqual([{ path: "changes[0].document.spec.ip", message: "egress ip 192.0.2.5 is already assigned by EgressAssignment shop/gw" }]);
    const drafted = await save(alice, { changes: [{ op: "create", document: assignment("web", "192.0.2.2"), baseVersion: 0 }] });
    expect(drafted.status).toBe(422);
    expect(drafted.body.errors[0].message).toBe("egress ip 192.0.2.2 is already assigned by EgressAssignment payments/gw");
    // Saving the drafted assignment again with its own address is no conflict; a free address is fine too.
    expect((await save(alice, { changes: [{ op: "create", document: assignment("payments", "192.0.2.2") }] })).status).toBe(200);
    expect((await save(alice, { changes: [{ op: "create", document: assignment("web", "192.0.2.6") }] })).status).toBe(200);
    const d = (await call(draftRoute.GET, { user: alice, params: { cluster: "c1" } })).body.draft;
    expect(d.items.map((i: { namespace: string }) => i.namespace)).toEqual(["payments", "web"]);
  });

  it("refuses an address a namespace holds by automatic allocation, unless the request moves that namespace", async () => {
    // analytics/gw has no explicit ip: the published state gives it the pool's lowest free address, 192.0.2.1.
    const taken = await save(bob, { changes: [{ op: "create", document: assignment("billing", "192.0.2.1"), baseVersion: 0 }] });
    expect(taken.status).toBe(422);
    expect(taken.body.errors).toEqual([
      { path: "changes[0].document.spec.ip", message: expect.stringContaining("egress ip 192.0.2.1 is held by EgressAssignment analytics/gw (allocated automatically)") },
    ]);
    // Pinning analytics elsewhere in the same request frees the address.
    const moved = await save(bob, {
      changes: [
        { op: "update", document: assignment("analytics", "192.0.2.9") },
        { op: "create", document: assignment("billing", "192.0.2.1"), baseVersion: 0 },
      ],
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  });

  it("blames the change, not the assignment it collides with, whatever order the store is in", () => {
    const doc = (ns: string, ip: string) => assignment(ns, ip) as unknown as Record<string, unknown>;
    const live = (kind: string, namespace: string, name: string, document: Record<string, unknown>): [string, LiveResource] => [
      `${kind}/${namespace}/${name}`,
      { key: { kind, namespace, name }, version: 1, revision: 1, deleted: false, document },
    ];
    const pool = { apiVersion: "portcullis.dev/v1", kind: "EgressIPPool", metadata: { name: "egress" }, spec: { cidrs: ["192.0.2.0/28"] } };
    // b comes before a in the store; the request moves b onto a's address.
    const store = new Map([live("EgressIPPool", "", "egress", pool), live("EgressAssignment", "b", "gw", doc("b", "192.0.2.2")), live("EgressAssignment", "a", "gw", doc("a", "192.0.2.1"))]);
    const errors = validateRequest(store, [{ op: "update", key: { kind: "EgressAssignment", namespace: "b", name: "gw" }, baseVersion: 1, document: doc("b", "192.0.2.1") }]);
    expect(errors).toEqual([{ path: "changes[0].document.spec.ip", message: "egress ip 192.0.2.1 is already assigned by EgressAssignment a/gw" }]);
  });
});
