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
