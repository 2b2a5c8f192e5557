import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, testCtx } from "../../../test/db";
import { userWithRoles } from "../../../test/api";
import { actorFromSession } from "../../auth/session";
import { seedDatabase } from "../seed/seed-database";
import { openChangeRequest } from "../changes/open-change-request";
import { submitChangeRequest } from "../changes/submit-change-request";
import { reviewChangeRequest } from "../changes/review-change-request";
import { publishChangeRequest } from "../changes/publish-change-request";
import { ensureSigningKey } from "../signing/signing-key";
import { getPolicyBoard } from "./get-policy-board";
import { simulateFlow } from "./simulate-flow";
import { getPodPolicies } from "./get-pod-policies";
import { exportYaml } from "./export-yaml";
import { parseResourcesYaml } from "../../policy";
import { db } from "../../db";
import { ServiceError } from "../errors";
import { saveToDraft } from "../changes/save-to-draft";
import { withdrawChangeRequest } from "../changes/withdraw-change-request";
import { call, discoverRoutes, makeUser } from "../../../test/api";

const YAML = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.block-threats}
spec: {tier: security, order: 10, selector: all(), types: [Egress], egress: [{action: Pass}]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.audit-all}
spec: {tier: security, selector: all(), types: [Ingress]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop-frontend}
spec: {order: 500, selector: app == "web", ingress: [{action: Allow, protocol: TCP, destination: {ports: [8080]}}]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: a-first, namespace: payments}
spec: {order: 500, selector: all(), types: [Ingress]}
`;

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
});
afterAll(async () => database.drop());

describe("policy board", () => {
  it("lists tiers and policies in Calico's evaluation order with the pods each selects", async () => {
    const author = (await actorFromSession((await userWithRoles(["author", "viewer"])).cookie))!;
    const approver = (await actorFromSession((await userWithRoles(["approver", "viewer"])).cookie))!;
    const cr = await openChangeRequest(testCtx(author), "demo", { title: "Board fixture", yaml: YAML });
    await submitChangeRequest(testCtx(author), cr.id);
    await reviewChangeRequest(testCtx(approver), cr.id, { decision: "approve" });
    await publishChangeRequest(testCtx(approver), cr.id);

    const board = await getPolicyBoard(testCtx(author), "demo");
    expect(board.revision).toBe(1);
    expect(board.tiers.map((t) => t.name)).toEqual(["security", "default"]);
    const security = board.tiers[0]!.policies;
    // Order 10 first; the policy without an order sorts last.
    expect(security.map((p) => p.name)).toEqual(["security.block-threats", "security.audit-all"]);
    expect(security.every((p) => p.selectedPods === 182)).toBe(true);
    const def = board.tiers[1]!.policies;
    // Same order: ties broken by "name/namespace/kind" bytes.
    expect(def.map((p) => p.name)).toEqual(["a-first", "web-ingress"]);
    const web = def.find((p) => p.name === "web-ingress")!;
    expect(web.selector).toBe(`(app == "web" && projectcalico.org/namespace == "shop-frontend")`);
    expect(web.selectedPods).toBe(12);
    expect(def.find((p) => p.name === "a-first")!.selectedPods).toBe(21);
    expect(web.types).toEqual(["ingress"]);
  });

  it("the tester evaluates a flow against the published policy with the trace of what decided it", async () => {
    const viewer = (await actorFromSession((await userWithRoles(["viewer"])).cookie))!;
    const [a, b] = await db().inventoryPod.findMany({ where: { namespace: "shop-frontend", labels: { path: ["app"], equals: "web" } }, take: 2, orderBy: { name: "asc" } });
    const flow = { source: { pod: `shop-frontend/${a!.name}` }, destination: { pod: `shop-frontend/${b!.name}` }, protocol: "TCP" as const, port: 8080 };
    const { result } = await simulateFlow(testCtx(viewer), "demo", flow);
    // Egress: the security tier passes, no default-tier policy selects the pod for egress: allowed.
    expect(result.egress?.verdict).toBe("Allow");
    expect(result.egress?.trace[0]).toMatchObject({ kind: "rule", action: "Pass", tier: "security" });
    // Ingress: security.audit-all selects every pod for ingress and has no rules: end-of-tier deny.
    expect(result.ingress?.verdict).toBe("Deny");
    expect(result.ingress?.decidedBy).toMatchObject({ kind: "end-of-tier", tier: "security" });
    expect(result.action).toBe("Deny");
    const unknown = await simulateFlow(testCtx(viewer), "demo", { ...flow, source: { pod: "shop-frontend/nope" } }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ServiceError);
    expect((unknown as ServiceError).extra.errors?.[0]?.path).toBe("source");
  });

  it("lists the policies selecting one pod per direction in evaluation order, and exports the state as YAML", async () => {
    const viewer = (await actorFromSession((await userWithRoles(["viewer"])).cookie))!;
    const web = await db().inventoryPod.findFirstOrThrow({ where: { namespace: "shop-frontend", labels: { path: ["app"], equals: "web" } } });
    const res = await getPodPolicies(testCtx(viewer), "demo", "shop-frontend", web.name);
    expect(res.ingress.map((p) => p.policy)).toEqual(["GlobalNetworkPolicy security.audit-all", "NetworkPolicy shop-frontend/web-ingress"]);
    expect(res.egress.map((p) => p.policy)).toEqual(["GlobalNetworkPolicy security.block-threats"]);
    await expect(getPodPolicies(testCtx(viewer), "demo", "shop-frontend", "nope")).rejects.toBeInstanceOf(ServiceError);

    const yaml = await (await exportYaml(testCtx(viewer), "demo", {})).text();
    const parsed = parseResourcesYaml(yaml);
    expect(parsed.issues).toEqual([]);
    expect(parsed.resources.map((r) => r.kind)).toEqual(["Tier", "GlobalNetworkPolicy", "GlobalNetworkPolicy", "NetworkPolicy", "NetworkPolicy"]);
    const onlyNp = await (await exportYaml(testCtx(viewer), "demo", { kind: ["NetworkPolicy"], namespace: "payments" })).text();
    expect(parseResourcesYaml(onlyNp).resources.map((r) => r.metadata.name)).toEqual(["a-first"]);
  });
});

describe("policy board: server-side filter, sort and pagination", () => {
  const names = (b: { policies: Array<{ name: string }> }) => b.policies.map((p) => p.name);

  it("filters by text (name, namespace, selector), kind and tier, with totals", async () => {
    const viewer = (await actorFromSession((await userWithRoles(["viewer"])).cookie))!;
    const board = (q: Parameters<typeof getPolicyBoard>[2]) => getPolicyBoard(testCtx(viewer), "demo", q);
    const all = await board({});
    expect([all.total, all.totalPolicies, all.offset, all.limit]).toEqual([4, 4, 0, 100]);
    expect(names(all)).toEqual(["security.block-threats", "security.audit-all", "a-first", "web-ingress"]);
    expect(all.policies.map((p) => p.position)).toEqual([1, 2, 3, 4]);
    expect(all.tierNames).toEqual([{ name: "security", policies: 2 }, { name: "default", policies: 2 }]);

    // Text: a name, a namespace (also in the effective selector), a selector as written.
    expect(names(await board({ q: "AUDIT" }))).toEqual(["security.audit-all"]);
    const byNs = await board({ q: "shop-frontend" });
    expect([names(byNs), byNs.total, byNs.totalPolicies]).toEqual([["web-ingress"], 1, 4]);
    expect(byNs.tiers.map((t) => [t.name, t.total, t.policies.length])).toEqual([["default", 1, 1]]);
    expect(names(await board({ q: 'app == "web"' }))).toEqual(["web-ingress"]);
    expect(names(await board({ q: "all()" }))).toEqual(["security.block-threats", "security.audit-all", "a-first"]);
    expect((await board({ q: "no-such-thing" })).tiers).toEqual([]);

    expect(names(await board({ kind: "global" }))).toEqual(["security.block-threats", "security.audit-all"]);
    expect(names(await board({ kind: "namespaced" }))).toEqual(["a-first", "web-ingress"]);
    expect((await board({ kind: "staged" })).total).toBe(0);
    const tier = await board({ tier: "default" });
    expect([tier.tiers.map((t) => t.name), names(tier), tier.total]).toEqual([["default"], ["a-first", "web-ingress"], 2]);
  });

  it("sorts by name, pods selected and order (flat, no tier groups), evaluation order by default", async () => {
    const viewer = (await actorFromSession((await userWithRoles(["viewer"])).cookie))!;
    const board = (q: Parameters<typeof getPolicyBoard>[2]) => getPolicyBoard(testCtx(viewer), "demo", q);
    const byName = await board({ sort: "name" });
    expect(names(byName)).toEqual(["a-first", "security.audit-all", "security.block-threats", "web-ingress"]);
    expect(byName.tiers).toEqual([]);
    expect(names(await board({ sort: "name", dir: "desc" }))).toEqual(["web-ingress", "security.block-threats", "security.audit-all", "a-first"]);
    // Pods: most first by default; ties keep evaluation order.
    const byPods = await board({ sort: "pods" });
    expect([byPods.dir, names(byPods), byPods.policies.map((p) => p.selectedPods)]).toEqual(["desc", ["security.block-threats", "security.audit-all", "a-first", "web-ingress"], [182, 182, 21, 12]]);
    expect(names(await board({ sort: "pods", dir: "asc" }))).toEqual(["web-ingress", "a-first", "security.block-threats", "security.audit-all"]);
    // Order across tiers; a policy without an order is last in both directions.
    expect(names(await board({ sort: "order" }))).toEqual(["security.block-threats", "a-first", "web-ingress", "security.audit-all"]);
    expect(names(await board({ sort: "order", dir: "desc" }))).toEqual(["a-first", "web-ingress", "security.block-threats", "security.audit-all"]);
  });

  it("paginates by limit/offset; each tier on a page names its neighbours just off the page", async () => {
    const viewer = (await actorFromSession((await userWithRoles(["viewer"])).cookie))!;
    const page = (offset: number, limit: number) => getPolicyBoard(testCtx(viewer), "demo", { offset, limit });
    const p2 = await page(1, 2);
    expect([names(p2), p2.total]).toEqual([["security.audit-all", "a-first"], 4]);
    expect(p2.tiers.map((t) => [t.name, t.total, t.policies.map((p) => p.name), t.before?.name ?? null, t.after?.name ?? null])).toEqual([
      ["security", 2, ["security.audit-all"], "security.block-threats", null],
      ["default", 2, ["a-first"], null, "web-ingress"],
    ]);
    const last = await page(3, 2);
    expect([names(last), last.tiers[0]!.before?.name, last.tiers[0]!.after]).toEqual([["web-ingress"], "a-first", null]);
    expect((await page(10, 2)).policies).toEqual([]);
    // Versions are the published ones: the base version of an edit.
    expect(p2.policies.every((p) => p.version === 1 && p.change === null)).toBe(true);

    // Through the route: the query is validated, and the page size defaults to 100.
    const user = await makeUser("board-route-viewer", ["viewer"]);
    const ok = await call(await routeHandler("GET", "/api/v1/clusters/[cluster]/policy-board"), { user, params: { cluster: "demo" }, query: { limit: "1", offset: "1", kind: "namespaced" } });
    expect(ok.status).toBe(200);
    expect([ok.body.total, ok.body.limit, ok.body.policies.map((p: { name: string }) => p.name)]).toEqual([2, 1, ["web-ingress"]]);
    expect((await call(await routeHandler("GET", "/api/v1/clusters/[cluster]/policy-board"), { user, params: { cluster: "demo" } })).body.limit).toBe(100);
    const bad = await call(await routeHandler("GET", "/api/v1/clusters/[cluster]/policy-board"), { user, params: { cluster: "demo" }, query: { sort: "colour", limit: "0" } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["query.limit", "query.sort"]);
  });

  it("shows the board with an open change request applied, marking what it changes", async () => {
    const authorUser = await userWithRoles(["author", "viewer"]);
    const author = (await actorFromSession(authorUser.cookie))!;
    const published = await getPolicyBoard(testCtx(author), "demo", {});
    const web = published.policies.find((p) => p.name === "web-ingress")!;
    const saved = await saveToDraft(testCtx(author), "demo", {
      changes: [
        {
          op: "update",
          baseVersion: web.version,
          document: { apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "web-ingress", namespace: "shop-frontend" }, spec: { order: 450, selector: 'app == "web"', ingress: [{ action: "Allow", protocol: "TCP", destination: { ports: [8080] } }] } },
        },
        { op: "create", document: { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "platform" }, spec: { order: 50 } } },
      ],
    });
    const withDraft = await getPolicyBoard(testCtx(author), "demo", { changeRequest: saved.id });
    expect(withDraft.changeRequest).toMatchObject({ id: saved.id, state: "draft", changes: 2 });
    // The new empty tier sits first (order 50); web-ingress now precedes a-first.
    expect(withDraft.tiers.map((t) => [t.name, t.policies.map((p) => p.name)])).toEqual([
      ["platform", []],
      ["security", ["security.block-threats", "security.audit-all"]],
      ["default", ["web-ingress", "a-first"]],
    ]);
    const moved = withDraft.policies.find((p) => p.name === "web-ingress")!;
    expect([moved.order, moved.change, moved.version]).toEqual([450, "update", 1]);
    expect(withDraft.policies.find((p) => p.name === "a-first")!.change).toBeNull();
    // The published board is unchanged, and the empty tier is hidden when a text filter is on.
    expect(names(await getPolicyBoard(testCtx(author), "demo", {}))).toEqual(["security.block-threats", "security.audit-all", "a-first", "web-ingress"]);
    expect((await getPolicyBoard(testCtx(author), "demo", { changeRequest: saved.id, q: "web" })).tiers.map((t) => t.name)).toEqual(["default"]);
    // withDraft: the caller's own open draft, found by the server; someone without a draft gets the published board.
    const mine = await getPolicyBoard(testCtx(author), "demo", { withDraft: true });
    expect([mine.changeRequest?.id, names(mine)]).toEqual([saved.id, names(withDraft)]);
    const viewer = (await actorFromSession((await userWithRoles(["viewer"])).cookie))!;
    const none = await getPolicyBoard(testCtx(viewer), "demo", { withDraft: true });
    expect([none.changeRequest, names(none)]).toEqual([null, ["security.block-threats", "security.audit-all", "a-first", "web-ingress"]]);
    // A request of no such id (or another cluster's) is not found.
    await expect(getPolicyBoard(testCtx(author), "demo", { changeRequest: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({ code: "not_found" });
  });

  it("the tester evaluates against a change request: the draft changes the verdict", async () => {
    const author = (await actorFromSession((await userWithRoles(["author", "viewer"])).cookie))!;
    const [a, b] = await db().inventoryPod.findMany({ where: { namespace: "shop-frontend", labels: { path: ["app"], equals: "web" } }, take: 2, orderBy: { name: "asc" } });
    const flow = { source: { pod: `shop-frontend/${a!.name}` }, destination: { pod: `shop-frontend/${b!.name}` }, protocol: "TCP" as const, port: 8080 };
    const before = await simulateFlow(testCtx(author), "demo", flow);
    expect([before.result.action, before.changeRequest]).toEqual(["Deny", null]);
    // The draft lets the security tier pass ingress on to the default tier, where web-ingress allows 8080.
    const board = await getPolicyBoard(testCtx(author), "demo", { q: "audit-all" });
    const saved = await saveToDraft(testCtx(author), "demo", {
      changes: [
        {
          op: "update",
          baseVersion: board.policies[0]!.version,
          document: { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "security.audit-all" }, spec: { tier: "security", selector: "all()", types: ["Ingress"], ingress: [{ action: "Pass" }] } },
        },
      ],
    });
    const after = await simulateFlow(testCtx(author), "demo", { ...flow, changeRequest: saved.id });
    expect(after.changeRequest).toMatchObject({ id: saved.id, changes: 1 });
    expect(after.result.action).toBe("Allow");
    expect(after.result.ingress?.verdict).toBe("Allow");
    expect(after.result.ingress?.trace.map((s) => s.message).join(" | ")).toContain("web-ingress");
    // Without it, still the published verdict; a withdrawn request can no longer be applied.
    expect((await simulateFlow(testCtx(author), "demo", flow)).result.action).toBe("Deny");
    await withdrawChangeRequest(testCtx(author), saved.id);
    const closed = await simulateFlow(testCtx(author), "demo", { ...flow, changeRequest: saved.id }).catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(ServiceError);
    expect([(closed as ServiceError).code, (closed as ServiceError).extra.errors?.[0]?.path]).toEqual(["validation_failed", "changeRequest"]);
  });
});
