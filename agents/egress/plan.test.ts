import { describe, expect, it } from "vitest";
import { parseResourceOrThrow, type TResource } from "../../server/policy/resources";
import { allocateEgressIps, maxSlots, planEgress, renderDataplane, slotMark, type EgressNode, type EgressPod, type HolderView } from "./plan";

const pv = "portcullis.dev/v1";
const pool = (name: string, cidrs: string[], extra: Record<string, unknown> = {}) => parseResourceOrThrow({ apiVersion: pv, kind: "EgressIPPool", metadata: { name }, spec: { cidrs, ...extra } });
const assignment = (ns: string, name: string, spec: Record<string, unknown>) => parseResourceOrThrow({ apiVersion: pv, kind: "EgressAssignment", metadata: { name, namespace: ns }, spec });
type Pool = Extract<TResource, { kind: "EgressIPPool" }>;
type Assignment = Extract<TResource, { kind: "EgressAssignment" }>;

const nodes: EgressNode[] = [
  { name: "n1", labels: {}, address: "192.0.2.11" },
  { name: "n2", labels: { gw: "yes" }, address: "192.0.2.12" },
  { name: "n3", labels: { gw: "yes" }, address: "192.0.2.13" },
];

describe("allocateEgressIps", () => {
  it("honours explicit IPs, then gives the lowest free, non-excluded address in name order", () => {
    const p = pool("p", ["203.0.113.0/29"], { exclude: ["203.0.113.1"] }) as Pool;
    const a = [
      assignment("b", "x", { pool: "p" }),
      assignment("a", "x", { pool: "p" }),
      assignment("c", "x", { pool: "p", ip: "203.0.113.2" }),
      assignment("d", "x", { pool: "p", ip: "203.0.113.2" }),
      assignment("e", "x", { pool: "missing" }),
      assignment("f", "x", { pool: "p", ip: "203.0.113.9" }),
    ] as Assignment[];
    const r = allocateEgressIps([p], a);
    expect(r.get("c/x")).toEqual({ ip: "203.0.113.2" });
    expect(r.get("a/x")).toEqual({ ip: "203.0.113.3" }); // .0 network, .1 excluded, .2 taken
    expect(r.get("b/x")).toEqual({ ip: "203.0.113.4" });
    expect(r.get("d/x")).toMatchObject({ problem: expect.stringContaining("already assigned by c/x") });
    expect(r.get("e/x")).toMatchObject({ problem: expect.stringContaining("does not exist") });
    expect(r.get("f/x")).toMatchObject({ problem: expect.stringContaining("not inside") });
  });

  it("uses every address of a /31 and reports exhaustion", () => {
    const p = pool("p", ["203.0.113.0/31"]) as Pool;
    const r = allocateEgressIps([p], ["a", "b", "c"].map((n) => assignment(n, "x", { pool: "p" })) as Assignment[]);
    expect([r.get("a/x"), r.get("b/x")]).toEqual([{ ip: "203.0.113.0" }, { ip: "203.0.113.1" }]);
    expect(r.get("c/x")).toMatchObject({ problem: expect.stringContaining("no free address") });
  });
});

describe("planEgress", () => {
  const pods: EgressPod[] = [
    { namespace: "a", labels: { app: "web" }, ips: ["10.0.1.2"] },
    { namespace: "a", labels: { app: "db" }, ips: ["10.0.1.3", "fd00::3"] },
    { namespace: "a", labels: { app: "web" }, ips: ["192.0.2.11"], hostNetwork: true },
    { namespace: "a", labels: { app: "web" }, ips: ["10.0.1.9"], phase: "Succeeded" },
    { namespace: "b", labels: { app: "web" }, ips: ["10.0.2.2"] },
  ];
  const resources = [
    pool("p", ["203.0.113.0/30"], { gatewayNodeSelector: "gw == 'yes'" }),
    assignment("a", "all", { pool: "p" }),
    assignment("a", "web", { pool: "p", podSelector: "app == 'web'", destinations: { networkSetSelector: "kind == 'partner'", nets: ["198.51.100.0/25"] } }),
    parseResourceOrThrow({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkSet", metadata: { name: "partners", labels: { kind: "partner" } }, spec: { nets: ["198.51.100.128/25"] } }),
    parseResourceOrThrow({ apiVersion: "projectcalico.org/v3", kind: "NetworkSet", metadata: { name: "other-ns", namespace: "b", labels: { kind: "partner" } }, spec: { nets: ["192.0.2.0/24"] } }),
  ];

  it("covers the namespace's pods (narrowed by podSelector, pod-level first), with scope and gateways", () => {
    const plan = planEgress(resources, pods, nodes, { podCidrs: ["10.0.0.0/16"], serviceCidrs: ["10.96.0.0/12"] });
    expect(plan.assignments.map((a) => [a.key, a.slot, a.ip, a.podIps, a.destinations])).toEqual([
      ["a/web", 1, "203.0.113.2", ["10.0.1.2"], ["198.51.100.0/24"]],
      ["a/all", 2, "203.0.113.1", ["10.0.1.2", "10.0.1.3"], null],
    ]);
    expect(plan.assignments[0]!.gatewayNodes).toEqual(["n2", "n3"]);
    expect(plan.internal).toEqual(["10.0.0.0/16", "10.96.0.0/12"]);
    expect([...plan.leases.keys()].sort()).toEqual(["203.0.113.1", "203.0.113.2"]);
  });

  it("renders SNAT on the holder, routing and a leak guard towards a remote holder, a drop without one", () => {
    const plan = planEgress(resources, pods, nodes, { podCidrs: ["10.0.0.0/16"], serviceCidrs: [] });
    const holders = new Map<string, HolderView>([
      ["203.0.113.2", { kind: "self", node: "n2" }],
      ["203.0.113.1", { kind: "remote", node: "n3", address: "192.0.2.13" }],
    ]);
    const s = renderDataplane(plan, holders);
    expect(s.structure).toContain("meta mark & 0x7f000000 == 0x01000000 counter snat ip to 203.0.113.2");
    expect(s.structure).toContain("meta mark & 0x7f000000 == 0x02000000 rt ip nexthop != 192.0.2.13 counter drop");
    expect(s.structure).toContain("meta mark & 0x7f000000 == 0x02000000 counter snat ip to ip saddr");
    expect(s.structure).toContain("ip saddr @a1_src ip daddr @a1_dst meta mark set");
    expect(s.routes).toEqual([
      { table: 7701, route: ["throw", "default"] },
      { table: 7702, route: ["default", "via", "192.0.2.13"] },
    ]);
    expect(s.addresses).toEqual(["203.0.113.2"]);
    expect(s.elements.get("a2_src")).toEqual(["10.0.1.2", "10.0.1.3"]);

    const none = renderDataplane(plan, new Map());
    expect(none.addresses).toEqual([]);
    expect(none.routes.map((r) => r.route)).toEqual([
      ["unreachable", "default"],
      ["unreachable", "default"],
    ]);
    expect(none.structure).toContain("meta mark & 0x7f000000 == 0x01000000 counter drop");
    expect(none.structure).not.toContain("snat");
    // Pod churn changes elements, never the structure.
    const churned = renderDataplane(planEgress(resources, pods.slice(1), nodes, { podCidrs: ["10.0.0.0/16"], serviceCidrs: [] }), holders);
    expect(churned.structure).toBe(s.structure);
    expect(churned.elements.get("a2_src")).toEqual(["10.0.1.3"]);
  });

  it("maps slots into the mark mask", () => {
    expect(slotMark(1, 0x7f000000)).toBe(0x01000000);
    expect(slotMark(127, 0x7f000000)).toBe(0x7f000000);
    expect(maxSlots(0x7f000000)).toBe(127);
    expect(slotMark(3, 0x0000ff00)).toBe(0x300);
  });
});
