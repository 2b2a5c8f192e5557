import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { demoInventory } from "@/server/services/seed/demo-inventory";
import { makeUser } from "../../../test/api";
import { freshDatabase, testCtx } from "../../../test/db";
import type { Actor } from "../../auth/actor";
import { getChangeImpact, MAX_DESTINATIONS, MAX_SOURCES } from "./get-change-impact";
import { openChangeRequest } from "./open-change-request";
import { publishChangeRequest } from "./publish-change-request";
import { reviewChangeRequest } from "./review-change-request";
import { submitChangeRequest } from "./submit-change-request";

const LEDGER_ONLY_FROM_PAYMENTS = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: ledger-ingress
  namespace: payments
spec:
  selector: app == "ledger"
  types: [Ingress]
  ingress:
    - action: Allow
      source:
        selector: all()
`;
const THREATS = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: threats
  labels: {threat: "true"}
spec:
  nets: [198.51.100.0/24]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: deny-threats
spec:
  selector: all()
  types: [Egress]
  egress:
    - action: Deny
      destination:
        selector: threat == "true"
    - action: Allow
`;

let database: Awaited<ReturnType<typeof freshDatabase>>;
let author: Actor;
let approver: Actor;

beforeAll(async () => {
  database = await freshDatabase();
  const inv = demoInventory();
  const cluster = await db().cluster.create({ data: { name: "demo", displayName: "Demo" } });
  await db().inventoryNamespace.createMany({ data: inv.namespaces.map((n) => ({ clusterId: cluster.id, name: n.name, labels: n.labels })) });
  await db().inventoryPod.createMany({
    data: inv.pods.map((p) => ({ clusterId: cluster.id, namespace: p.namespace, name: p.name, labels: p.labels, serviceAccount: p.serviceAccount, nodeName: p.nodeName, podIps: p.podIps, ports: p.ports })),
  });
  const a = await makeUser("ann", ["author"]);
  const b = await makeUser("ben", ["approver"]);
  author = { type: "user", id: a.id, name: "ann", roles: ["author"], sessionId: "s1" };
  approver = { type: "user", id: b.id, name: "ben", roles: ["approver"], sessionId: "s2" };
});
afterAll(async () => {
  await database.drop();
});

describe("impact summary", () => {
  it("lists pods newly selected and sampled flows that change verdict", async () => {
    const cr = await openChangeRequest(testCtx(author), "demo", { title: "lock down ledger", yaml: LEDGER_ONLY_FROM_PAYMENTS });
    const impact = await getChangeImpact(testCtx(author), cr.id);
    expect(impact.inventory.pods).toBe(182);
    expect(impact.policies).toHaveLength(1);
    const p = impact.policies[0]!;
    expect(p.selectedBefore).toBe(0);
    expect(p.newlySelected.count).toBe(4);
    expect(p.newlySelected.pods.every((id) => id.startsWith("payments/ledger-") && !id.startsWith("payments/ledger-db"))).toBe(true);
    expect(p.noLongerSelected.count).toBe(0);
    // Ingress to ledger pods from other namespaces flips to Deny; from payments it stays Allow.
    expect(impact.flows.allowToDeny).toBeGreaterThan(0);
    expect(impact.flows.denyToAllow).toBe(0);
    for (const f of impact.flows.changes) {
      expect(f.destination).toMatch(/^payments\/ledger-/);
      expect(f.source.startsWith("payments/")).toBe(false);
      expect([f.before, f.after]).toEqual(["Allow", "Deny"]);
    }
    expect(impact.flows.sample.sources).toBe(MAX_SOURCES);
    expect(impact.flows.sample.destinations).toBeLessThanOrEqual(MAX_DESTINATIONS);
    expect(impact.flows.sample.capped).toBe(true);
    expect(impact.flows.sample.note).toMatch(/Sampled 40 of 182 pods/);
  });

  it("evaluates flows to network-set CIDR blocks, and a published request keeps its impact", async () => {
    const cr = await openChangeRequest(testCtx(author), "demo", { title: "deny threats", yaml: THREATS });
    await submitChangeRequest(testCtx(author), cr.id);
    await reviewChangeRequest(testCtx(approver), cr.id, { decision: "approve" });
    const draftImpact = await getChangeImpact(testCtx(author), cr.id);
    const toThreats = draftImpact.flows.changes.filter((f) => f.destination.startsWith("198.51.100.0/24"));
    expect(toThreats.length).toBe(MAX_SOURCES);
    expect(toThreats.every((f) => f.before === "Allow" && f.after === "Deny")).toBe(true);
    expect(draftImpact.policies[0]!.newlySelected.count).toBe(182);
    await publishChangeRequest(testCtx(approver), cr.id);
    const published = await getChangeImpact(testCtx(author), cr.id);
    expect(published.flows.allowToDeny).toBe(draftImpact.flows.allowToDeny);
    expect(published.policies).toEqual(draftImpact.policies);
  });
});
