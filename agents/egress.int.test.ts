/**
 * Egress gateways with real traffic (issue #8): three node namespaces on one underlay bridge,
 * an outside router whose TCP server answers with the source address it sees, pods of
 * namespaces team-a, team-b and team-c behind the nodes, and the real agent on every node
 * (policy compiler + egress controller) against the in-process Kubernetes API server (nodes,
 * pods, Leases) and console (bundles).
 *
 * Pool `gateways` (192.168.181.200/31) may live on node-2 and node-3; team-a is assigned an
 * IP from it. Pool `nowhere` has no eligible node; team-c is assigned from it (fail closed).
 */
import { KubeConfig } from "@kubernetes/client-node";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey } from "../server/policy/bundle";
import { Agent } from "./agent";
import { DEFAULT_FAILSAFES } from "./compiler/compile";
import { nftRunner } from "./dataplane/nft";
import { leaseName, timingFor } from "./egress/leases";
import { FakeApiServer, type KubeObject } from "./testing/fake-apiserver";
import { FakeConsole } from "./testing/fake-console";
import { ClusterLab, eventually, type LabClusterPod, type LabNode } from "./testing/netlab";

const CLUSTER = "egress-lab";
const LEASE_NS = "portcullis-system";
const OUT = "198.51.100.1";
const lab = new ClusterLab(81, "192.168.181", [OUT]);
const EGRESS_IP = "192.168.181.200";
const api = new FakeApiServer();
const key = generateSigningKey();
const console_ = new FakeConsole(CLUSTER, key.secretKeyHex, "console-token", 1000);
const stateDirs: string[] = [];
const agents = new Map<string, Agent>();
const pods: Record<string, LabClusterPod> = {};

const gv = "projectcalico.org/v3";
const pv = "portcullis.dev/v1";
const bundle = [
  { apiVersion: pv, kind: "EgressIPPool", metadata: { name: "gateways" }, spec: { cidrs: ["192.168.181.200/31"], gatewayNodeSelector: "egress-gateway == 'true'" } },
  { apiVersion: pv, kind: "EgressIPPool", metadata: { name: "nowhere" }, spec: { cidrs: ["192.168.181.210/32"], gatewayNodeSelector: "egress-gateway == 'nowhere'" } },
  { apiVersion: pv, kind: "EgressAssignment", metadata: { name: "team-a", namespace: "team-a" }, spec: { pool: "gateways" } },
  { apiVersion: pv, kind: "EgressAssignment", metadata: { name: "team-c", namespace: "team-c" }, spec: { pool: "nowhere" } },
  {
    apiVersion: gv,
    kind: "NetworkPolicy",
    metadata: { name: "blocked-egress", namespace: "team-a" },
    spec: { selector: "app == 'blocked'", types: ["Egress"], egress: [{ action: "Deny", protocol: "TCP", destination: { nets: [`${OUT}/32`], ports: [8080] } }, { action: "Allow" }] },
  },
];

function podObject(name: string, namespace: string, labels: Record<string, string>, pod: LabClusterPod): KubeObject {
  return {
    metadata: { name, namespace, labels },
    spec: { nodeName: pod.node.name, containers: [{ name: "c" }] },
    status: { phase: "Running", podIP: pod.ip, podIPs: [{ ip: pod.ip }] },
  };
}

function startAgent(node: LabNode): Agent {
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfig(`token-${node.name}`));
  const stateDir = mkdtempSync(path.join(tmpdir(), "pc-egress-"));
  stateDirs.push(stateDir);
  const agent = new Agent({
    cluster: CLUSTER,
    nodeName: node.name,
    consoleUrl: console_.url,
    publicKeyHex: key.publicKeyHex,
    credential: () => "console-token",
    stateDir,
    kubeConfig: kc,
    failsafes: DEFAULT_FAILSAFES,
    nft: nftRunner({ netns: node.ns }),
    minIntervalMs: 50,
    driftIntervalMs: 3_600_000,
    bundleRequestTimeoutMs: 5000,
    log: (m) => process.env.AGENT_LOG && console.error(`[${node.name}] ${m.slice(0, 300)}`),
    egress: {
      uplink: "eth0",
      podCidrs: ["10.81.0.0/16"],
      serviceCidrs: ["10.96.0.0/12"],
      internalCidrs: ["192.168.181.0/24"],
      leaseNamespace: LEASE_NS,
      timing: timingFor(1500),
      netns: node.ns,
    },
  });
  agent.start();
  agents.set(node.name, agent);
  return agent;
}

/** The node whose controller serves the egress IP, if exactly one does. */
function servingNode(ip = EGRESS_IP): string | null {
  const serving = [...agents.entries()].filter(([, a]) => a.egress?.status().ips.some((x) => x.ip === ip && x.servedHere)).map(([n]) => n);
  return serving.length === 1 ? serving[0]! : null;
}

/** Nodes that have the IP on their uplink (from the kernel). */
function nodesWithAddress(ip = EGRESS_IP): string[] {
  return lab.nodes.filter((n) => lab.ip(n.ns, ["-4", "-o", "addr", "show", "dev", "eth0"]).includes(` ${ip}/32 `)).map((n) => n.name);
}

async function expectSource(pod: LabClusterPod, port: number, want: string | null, attempts = 60): Promise<void> {
  let last: string | null | undefined;
  const ok = await eventually(async () => {
    last = await lab.whoami(pod.ns, OUT, port, 600);
    return last === want;
  }, attempts, 100);
  if (!ok) {
    const dump = lab.nodes.map((n) => `--- ${n.name}\n${lab.nft(n.ns, ["list", "table", "ip", "portcullis_egress"]).slice(0, 3000)}\n${lab.ip(n.ns, ["rule"])}`).join("\n");
    throw new Error(`from ${pod.ns} (${pod.node.name}) to ${OUT}:${port}: expected source ${want}, last saw ${last}\n${JSON.stringify([...agents.values()].map((a) => a.egress?.status()), null, 1).slice(0, 4000)}\n${dump}`);
  }
}

beforeAll(async () => {
  lab.create(3);
  pods.a1 = lab.addPod(lab.node(1));
  pods.b1 = lab.addPod(lab.node(1));
  pods.c1 = lab.addPod(lab.node(1));
  pods.blocked = lab.addPod(lab.node(1));
  pods.a2 = lab.addPod(lab.node(2));
  pods.a3 = lab.addPod(lab.node(3));
  pods.late = lab.addPod(lab.node(3));
  await lab.serveWhoami(lab.outside, [
    [OUT, 8080],
    [OUT, 8081],
  ]);
  await api.start();
  await console_.start();
  for (const n of lab.nodes) {
    api.upsertNode({ metadata: { name: n.name, labels: { "kubernetes.io/hostname": n.name, ...(n.index >= 2 ? { "egress-gateway": "true" } : {}) } }, status: { addresses: [{ type: "InternalIP", address: n.address }] } });
  }
  for (const ns of ["team-a", "team-b", "team-c", LEASE_NS]) api.upsertNamespace({ metadata: { name: ns } });
  api.upsertPod(podObject("a1", "team-a", { app: "web" }, pods.a1));
  api.upsertPod(podObject("a2", "team-a", { app: "web" }, pods.a2));
  api.upsertPod(podObject("a3", "team-a", { app: "web" }, pods.a3));
  api.upsertPod(podObject("blocked", "team-a", { app: "blocked" }, pods.blocked));
  api.upsertPod(podObject("b1", "team-b", { app: "web" }, pods.b1));
  api.upsertPod(podObject("c1", "team-c", { app: "web" }, pods.c1));
  console_.publish(bundle);
  for (const n of lab.nodes) startAgent(n);
  expect(await eventually(() => [...agents.values()].every((a) => a.status().appliedRevision === 1 && a.egress?.status().ready === true), 200, 50)).toBe(true);
}, 120_000);

afterAll(async () => {
  for (const a of agents.values()) await a.stop().catch(() => undefined);
  await console_.stop().catch(() => undefined);
  await api.stop().catch(() => undefined);
  lab.destroy();
  for (const d of stateDirs) rmSync(d, { recursive: true, force: true });
});

describe("egress gateway with real traffic", () => {
  it("namespace A leaves from its egress IP on every node; namespace B from its own node's address", async () => {
    expect(await eventually(() => servingNode() !== null, 100, 50)).toBe(true);
    const holder = servingNode()!;
    expect(["node-2", "node-3"]).toContain(holder);
    for (const p of [pods.a1!, pods.a2!, pods.a3!]) await expectSource(p, 8080, EGRESS_IP);
    await expectSource(pods.b1!, 8080, lab.node(1).address);
    expect(nodesWithAddress()).toEqual([holder]);
    const lease = api.lease(LEASE_NS, leaseName(EGRESS_IP)) as { spec?: { holderIdentity?: string; leaseDurationSeconds?: number } } | undefined;
    expect(lease?.spec?.holderIdentity).toBe(holder);
    expect(lease?.spec?.leaseDurationSeconds).toBe(2);
    const status = agents.get("node-1")!.egress!.status();
    expect(status.assignments.find((a) => a.namespace === "team-a")).toMatchObject({ ip: EGRESS_IP, status: "ok", gateway: holder, pods: 4 });
  });

  it("a namespace whose pool has no healthy gateway gets no external traffic out at all", async () => {
    await expectSource(pods.c1!, 8080, null);
    // Never with the node's address either: a few more attempts, all refused.
    for (let i = 0; i < 3; i++) expect(await lab.whoami(pods.c1!.ns, OUT, 8080, 400)).toBeNull();
    const c = agents.get("node-1")!.egress!.status().assignments.find((a) => a.namespace === "team-c");
    expect(c).toMatchObject({ ip: "192.168.181.210", status: "no-gateway", gateway: null });
    expect(nodesWithAddress("192.168.181.210")).toEqual([]);
  });

  it("policy is still enforced at the source pod on gatewayed traffic", async () => {
    await expectSource(pods.blocked!, 8081, EGRESS_IP);
    await expectSource(pods.blocked!, 8080, null);
    const counters = await agents.get("node-1")!.counters();
    expect(counters.get("NetworkPolicy team-a/blocked-egress egress")?.packets ?? 0).toBeGreaterThan(0);
  });

  it("a new pod of the namespace is gatewayed as soon as it appears (set elements only)", async () => {
    await expectSource(pods.late!, 8080, lab.node(3).address);
    api.upsertPod(podObject("late", "team-a", { app: "web" }, pods.late!));
    await expectSource(pods.late!, 8080, EGRESS_IP);
    api.deletePod("team-a", "late");
    await expectSource(pods.late!, 8080, lab.node(3).address);
  });

  it("stopping the holder's agent moves the IP to the other gateway; traffic resumes with the same source", async () => {
    const holder = servingNode()!;
    const other = holder === "node-2" ? "node-3" : "node-2";
    const transitionsBefore = agents.get("node-1")!.egress!.status().ips.find((x) => x.ip === EGRESS_IP)!.transitions;
    await agents.get(holder)!.stop();
    agents.delete(holder);
    // The stopped node let go of the address at once.
    expect(nodesWithAddress()).not.toContain(holder);
    expect(await eventually(() => servingNode() === other, 100, 50)).toBe(true);
    const onOther = other === "node-2" ? pods.a2! : pods.a3!;
    const onStopped = holder === "node-2" ? pods.a2! : pods.a3!;
    for (const p of [pods.a1!, onOther]) await expectSource(p, 8080, EGRESS_IP);
    // Pods on the node whose agent is down fail closed (it cannot follow the holder any more).
    expect(await lab.whoami(onStopped.ns, OUT, 8080, 400)).toBeNull();
    expect(nodesWithAddress()).toEqual([other]);
    const ipStatus = agents.get("node-1")!.egress!.status().ips.find((x) => x.ip === EGRESS_IP)!;
    expect(ipStatus.holder).toBe(other);
    expect(ipStatus.transitions).toBe(transitionsBefore + 1);
    expect(ipStatus.history.at(-1)?.holder).toBe(other);
    // The node comes back as a standby: the IP stays where it is.
    const back = startAgent(lab.nodes.find((n) => n.name === holder)!);
    expect(await eventually(() => back.egress?.status().ips.some((x) => x.ip === EGRESS_IP && x.holder === other && x.valid) === true, 100, 50)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(servingNode()).toBe(other);
    expect(nodesWithAddress()).toEqual([other]);
    await expectSource(onStopped, 8080, EGRESS_IP);
  });

  it("cutting the holder off (link down, API unreachable) fences it and the other gateway takes over", async () => {
    const holder = servingNode()!;
    const other = holder === "node-2" ? "node-3" : "node-2";
    const node = lab.nodes.find((n) => n.name === holder)!;
    lab.setLink(node, false);
    api.cutOff(`token-${holder}`);
    try {
      // The cut-off node cannot renew: it stops serving and drops the address on its own.
      expect(await eventually(() => !nodesWithAddress().includes(holder), 100, 50)).toBe(true);
      expect(agents.get(holder)!.egress!.status().ips.find((x) => x.ip === EGRESS_IP)!.servedHere).toBe(false);
      expect(await eventually(() => servingNode() === other, 100, 50)).toBe(true);
      const pod = pods.a1!;
      await expectSource(pod, 8080, EGRESS_IP);
      await expectSource(other === "node-2" ? pods.a2! : pods.a3!, 8080, EGRESS_IP);
      expect(nodesWithAddress()).toEqual([other]);
    } finally {
      lab.setLink(node, true);
      api.restore(`token-${holder}`);
    }
    // Reconnected, it follows the new holder and does not take the IP back.
    expect(await eventually(() => agents.get(holder)!.egress!.status().ips.some((x) => x.ip === EGRESS_IP && x.holder === other && x.valid), 100, 50)).toBe(true);
    await expectSource(holder === "node-2" ? pods.a2! : pods.a3!, 8080, EGRESS_IP);
    expect(servingNode()).toBe(other);
  });

  it("with every gateway gone, the namespace's traffic is dropped at the source, never sent with a node address", async () => {
    for (const name of ["node-2", "node-3"]) {
      lab.setLink(lab.nodes.find((n) => n.name === name)!, false);
      api.cutOff(`token-${name}`);
    }
    try {
      expect(await eventually(() => agents.get("node-1")!.egress!.status().assignments.find((a) => a.namespace === "team-a")?.status === "no-gateway", 100, 50)).toBe(true);
      await expectSource(pods.a1!, 8080, null);
      for (let i = 0; i < 3; i++) expect(await lab.whoami(pods.a1!.ns, OUT, 8081, 400)).toBeNull();
      await expectSource(pods.b1!, 8080, lab.node(1).address);
    } finally {
      for (const name of ["node-2", "node-3"]) {
        lab.setLink(lab.nodes.find((n) => n.name === name)!, true);
        api.restore(`token-${name}`);
      }
    }
    await expectSource(pods.a1!, 8080, EGRESS_IP, 100);
  });
});
