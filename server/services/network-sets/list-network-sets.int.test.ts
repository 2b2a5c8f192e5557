import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, testCtx } from "../../../test/db";
import { call, discoverRoutes, makeUser, userWithRoles } from "../../../test/api";
import { actorFromSession } from "../../auth/session";
import { seedDatabase } from "../seed/seed-database";
import { openChangeRequest } from "../changes/open-change-request";
import { submitChangeRequest } from "../changes/submit-change-request";
import { reviewChangeRequest } from "../changes/review-change-request";
import { publishChangeRequest } from "../changes/publish-change-request";
import { ensureSigningKey } from "../signing/signing-key";
import { listNetworkSets } from "./list-network-sets";

const nets = (n: number, b: number) => Array.from({ length: n }, (_, i) => `10.${b}.${i}.0/24`);
const SET = (kind: string, name: string, ns: string | null, labels: Record<string, string>, cidrs: string[], domains?: string[]) =>
  JSON.stringify({ apiVersion: "projectcalico.org/v3", kind, metadata: { name, ...(ns ? { namespace: ns } : {}), labels }, spec: { nets: cidrs, ...(domains ? { allowedEgressDomains: domains } : {}) } });
const YAML = [
  SET("GlobalNetworkSet", "threat-feed", null, { feed: "threats", severity: "high" }, nets(30, 1)),
  SET("GlobalNetworkSet", "partners", null, { kind: "partner" }, nets(3, 2), ["api.partner.example"]),
  SET("NetworkSet", "payment-gateways", "payments", { kind: "partner", team: "payments" }, nets(7, 3), ["*.stripe.com"]),
  SET("NetworkSet", "ops-hosts", "monitoring", { team: "ops" }, nets(1, 4)),
  JSON.stringify({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "block-threats" }, spec: { order: 10, selector: "all()", types: ["Egress"], egress: [{ action: "Deny", destination: { selector: 'feed == "threats"' } }, { action: "Pass" }] } }),
].join("\n---\n");

/** The route handler itself (server code does not import app/: found the way the route matrix finds it). */
let routes: Awaited<ReturnType<typeof discoverRoutes>> | undefined;
async function routeHandler(method: string, pattern: string) {
  routes ??= await discoverRoutes();
  const r = routes.find((x) => x.method === method && x.pattern === pattern);
  if (!r) throw new Error(`no route ${method} ${pattern}`);
  return r.handler as Parameters<typeof call>[0];
}

let database: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  database = await freshDatabase();
  await seedDatabase(database.client, { adminUsername: "root", adminPassword: "root-password-123", demo: true });
  await ensureSigningKey();
  const author = (await actorFromSession((await userWithRoles(["author", "viewer"])).cookie))!;
  const approver = (await actorFromSession((await userWithRoles(["approver", "viewer"])).cookie))!;
  const cr = await openChangeRequest(testCtx(author), "demo", { title: "Sets", yaml: YAML });
  await submitChangeRequest(testCtx(author), cr.id);
  await reviewChangeRequest(testCtx(approver), cr.id, { decision: "approve" });
  await publishChangeRequest(testCtx(approver), cr.id);
});
afterAll(async () => database.drop());

describe("network sets list", () => {
  it("filters by text, kind and labels, sorts by name or CIDR count, and paginates with totals", async () => {
    const viewer = (await actorFromSession((await userWithRoles(["viewer"])).cookie))!;
    const list = (q: Parameters<typeof listNetworkSets>[2]) => listNetworkSets(testCtx(viewer), "demo", q);
    const names = (r: { items: Array<{ name: string }> }) => r.items.map((i) => i.name);

    const all = await list({});
    expect([names(all), all.total, all.totalSets, all.page, all.pageSize]).toEqual([["ops-hosts", "partners", "payment-gateways", "threat-feed"], 4, 4, 1, 50]);
    const threat = all.items.find((i) => i.name === "threat-feed")!;
    expect([threat.nets, threat.netsPreview.length, threat.version, threat.revision, threat.referencedBy]).toEqual([30, 5, 1, 1, ["GlobalNetworkPolicy block-threats"]]);

    expect(names(await list({ q: "PAY" }))).toEqual(["payment-gateways"]);
    expect(names(await list({ q: "monitoring" }))).toEqual(["ops-hosts"]);
    expect(names(await list({ q: "stripe" }))).toEqual(["payment-gateways"]);
    expect(names(await list({ kind: "global" }))).toEqual(["partners", "threat-feed"]);
    expect(names(await list({ kind: "namespaced" }))).toEqual(["ops-hosts", "payment-gateways"]);
    expect(names(await list({ label: "kind=partner" }))).toEqual(["partners", "payment-gateways"]);
    expect(names(await list({ label: "team" }))).toEqual(["ops-hosts", "payment-gateways"]);
    expect(names(await list({ label: "kind=partner, team=payments" }))).toEqual(["payment-gateways"]);
    expect((await list({ label: "kind=threat" })).total).toBe(0);

    const bySize = await list({ sort: "cidrs" });
    expect([bySize.dir, names(bySize)]).toEqual(["desc", ["threat-feed", "payment-gateways", "partners", "ops-hosts"]]);
    expect(names(await list({ sort: "cidrs", dir: "asc" }))).toEqual(["ops-hosts", "partners", "payment-gateways", "threat-feed"]);
    expect(names(await list({ sort: "name", dir: "desc" }))).toEqual(["threat-feed", "payment-gateways", "partners", "ops-hosts"]);

    const p2 = await list({ sort: "cidrs", page: 2, pageSize: 3 });
    expect([names(p2), p2.total]).toEqual([["ops-hosts"], 4]);
  });

  it("validates the query at the route", async () => {
    const user = await makeUser("sets-viewer", ["viewer"]);
    const ok = await call(await routeHandler("GET", "/api/v1/clusters/[cluster]/network-sets"), { user, params: { cluster: "demo" }, query: { kind: "global", pageSize: "1" } });
    expect([ok.status, ok.body.total, ok.body.items.length]).toEqual([200, 2, 1]);
    const bad = await call(await routeHandler("GET", "/api/v1/clusters/[cluster]/network-sets"), { user, params: { cluster: "demo" }, query: { sort: "size", kind: "both" } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["query.kind", "query.sort"]);
  });
});
