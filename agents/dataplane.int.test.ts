/**
 * Real traffic through the real agent pipeline: network namespaces (a routed node, pods, an
 * outside network), the agent's table in the node namespace, Kubernetes informers against the
 * in-process API server, and the bundle client against an in-test console. Verdicts are checked
 * with real TCP connections.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey, signBundle, BUNDLE_FORMAT } from "../server/policy/bundle";
import { Agent } from "./agent";
import { DEFAULT_FAILSAFES } from "./compiler/compile";
import { nftRunner } from "./dataplane/nft";
import { FakeApiServer, type KubeObject } from "./testing/fake-apiserver";
import { FakeConsole } from "./testing/fake-console";
import { eventually, NetLab, type LabPod } from "./testing/netlab";

const CLUSTER = "lab";
const NODE = "node-a";
const TOKEN = "agent-secret-token";
const OUT1 = "198.51.100.1";
const OUT2 = "198.51.100.2";
const THREAT = "203.0.113.7";

const lab = new NetLab(77);
const api = new FakeApiServer();
const key = generateSigningKey();
const console_ = new FakeConsole(CLUSTER, key.secretKeyHex, TOKEN, 1000);
let stateDir = "";
let agent: Agent | undefined;
const pods: Record<string, LabPod> = {};

function podObject(name: string, namespace: string, labels: Record<string, string>, ip: string, nodeName = NODE): KubeObject {
  return {
    metadata: { name, namespace, labels },
    spec: { nodeName, containers: [{ name: "c", ports: [{ name: "http", containerPort: 80, protocol: "TCP" }] }] },
    status: { phase: "Running", podIP: ip, podIPs: [{ ip }] },
  };
}

function newAgent(): Agent {
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfig());
  return new Agent({
    cluster: CLUSTER,
    nodeName: NODE,
    consoleUrl: console_.url,
    publicKeyHex: key.publicKeyHex,
    credential: () => TOKEN,
    stateDir,
    kubeConfig: kc,
    failsafes: DEFAULT_FAILSAFES,
    nft: nftRunner({ netns: lab.node }),
    minIntervalMs: 50,
    driftIntervalMs: 3_600_000,
    bundleRequestTimeoutMs: 5000,
    log: (m) => process.env.AGENT_LOG && console.error(`[agent] ${m.slice(0, 300)}`),
  });
}

/** 100 000 CIDRs: 203.0.113.0/24 (the threat) among 99 999 other /32 and /24 networks. */
function threatFeed(): string[] {
  const out = ["203.0.113.0/24"];
  let x = 0x2d000000; // 45.0.0.0
  while (out.length < 100_000) {
    x = (x + 0x9e3779b1) >>> 0;
    const a = x >>> 24;
    if (a === 0 || a === 10 || a === 127 || a === 192 || a === 198 || a === 203 || a >= 224) continue;
    out.push(out.length % 10 === 0 ? `${a}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.0/24` : `${a}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`);
  }
  return out;
}

const gv = "projectcalico.org/v3";
const FEED = threatFeed();

/** Published bundle contents by step; each test publishes what it needs. */
const webIngressDeny = { apiVersion: gv, kind: "NetworkPolicy", metadata: { name: "web-deny", namespace: "shop" }, spec: { selector: "app == 'web'" } };
const webIngressFromDev = {
  apiVersion: gv,
  kind: "NetworkPolicy",
  metadata: { name: "web-from-dev", namespace: "shop" },
  spec: { selector: "app == 'web'", order: 10, ingress: [{ action: "Allow", protocol: "TCP", source: { namespaceSelector: "projectcalico.org/name == 'dev'" }, destination: { ports: [80] } }] },
};
const threats = { apiVersion: gv, kind: "GlobalNetworkSet", metadata: { name: "threats", labels: { feed: "threats" } }, spec: { nets: FEED } };
const clientEgress = {
  apiVersion: gv,
  kind: "GlobalNetworkPolicy",
  metadata: { name: "client-egress" },
  spec: {
    selector: "app == 'client'",
    order: 20,
    types: ["Egress"],
    egress: [
      { action: "Deny", destination: { selector: "feed == 'threats'" } },
      { action: "Allow", protocol: "TCP", destination: { nets: [`${OUT1}/32`], ports: ["8000:8100"] } },
      { action: "Allow", protocol: "TCP", destination: { nets: ["0.0.0.0/0"], ports: [80] } },
      { action: "Allow", protocol: "TCP", destination: { selector: "app == 'web'", namespaceSelector: "all()" } },
    ],
  },
};
const securityTier = { apiVersion: gv, kind: "Tier", metadata: { name: "security" }, spec: { order: 100 } };
const securityPass = {
  apiVersion: gv,
  kind: "GlobalNetworkPolicy",
  metadata: { name: "security.client" },
  spec: {
    tier: "security",
    selector: "app == 'client'",
    types: ["Egress"],
    egress: [
      { action: "Pass", destination: { nets: ["198.51.100.0/24"] } },
      { action: "Deny", protocol: "TCP", destination: { ports: [80] } },
    ],
  },
};

async function expectVerdicts(from: string, cases: ReadonlyArray<readonly [string, number, boolean]>, attempts = 60): Promise<void> {
  let last: boolean[] = [];
  const ok = await eventually(async () => {
    last = await lab.probe(from, cases.map(([h, p]) => [h, p] as const));
    return last.every((v, i) => v === cases[i]![2]);
  }, attempts, 100);
  if (!ok) {
    const table = lab.nft(["list", "table", "inet", "portcullis"]);
    throw new Error(`verdicts from ${from}: expected ${JSON.stringify(cases.map((c) => c[2]))}, got ${JSON.stringify(last)} for ${JSON.stringify(cases)}\n${table.slice(0, 6000)}`);
  }
}

async function publish(resources: unknown[]): Promise<number> {
  const signed = console_.publish(resources);
  const rev = JSON.parse(signed.payload).revision as number;
  expect(await eventually(() => agent!.status().appliedRevision === rev, 200, 50)).toBe(true);
  return rev;
}

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), "pc-agent-"));
  lab.create();
  pods.web1 = lab.addPod();
  pods.db1 = lab.addPod();
  pods.client1 = lab.addPod();
  pods.client2 = lab.addPod();
  pods.web2 = lab.addPod();
  await Promise.all([
    ...["web1", "db1", "client1", "client2", "web2"].map((p) => lab.serve(pods[p]!.ns, [["0.0.0.0", 80], ["0.0.0.0", 5432]])),
    lab.serve(lab.outside, [OUT1, OUT2, THREAT].flatMap((a) => [[a, 80], [a, 8081], [a, 9000]] as const)),
  ]);
  await api.start();
  api.token = TOKEN;
  await console_.start();
  for (const ns of ["shop", "dev"]) api.upsertNamespace({ metadata: { name: ns, labels: { team: ns } } });
  api.upsertPod(podObject("web1", "shop", { app: "web" }, pods.web1!.ip));
  api.upsertPod(podObject("db1", "shop", { app: "db" }, pods.db1!.ip));
  api.upsertPod(podObject("client1", "dev", { app: "client" }, pods.client1!.ip));
  // A pod on another node (its address is outside, behind the node): selectors see it cluster-wide.
  api.upsertPod(podObject("remote-web", "shop", { app: "web" }, OUT2, "node-b"));
  console_.publish([]);
  agent = newAgent();
  agent.start();
  expect(await eventually(() => agent!.status().appliedRevision === 1, 200, 50)).toBe(true);
}, 120_000);

afterAll(async () => {
  await agent?.stop().catch(() => undefined);
  await console_.stop().catch(() => undefined);
  await api.stop().catch(() => undefined);
  lab.destroy();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe("agent dataplane with real traffic", () => {
  it("allows everything while no policy selects a pod", async () => {
    await expectVerdicts(pods.client1!.ns, [
      [pods.web1!.ip, 80, true],
      [pods.db1!.ip, 5432, true],
      [OUT1, 9000, true],
      [THREAT, 80, true],
    ]);
    expect(agent!.status().lastApply?.kind).toBe("full");
  });

  it("denies ingress by default once a policy selects the pod, leaving other pods and directions alone", async () => {
    await publish([webIngressDeny]);
    await expectVerdicts(pods.client1!.ns, [
      [pods.web1!.ip, 80, false],
      [pods.db1!.ip, 80, true],
    ]);
    await expectVerdicts(pods.web1!.ns, [
      [OUT1, 80, true],
      [pods.db1!.ip, 5432, true],
    ]);
  });

  it("allows ingress by namespace selector and port, other sources and ports stay denied", async () => {
    await publish([webIngressDeny, webIngressFromDev]);
    await expectVerdicts(pods.client1!.ns, [
      [pods.web1!.ip, 80, true],
      [pods.web1!.ip, 5432, false],
    ]);
    await expectVerdicts(pods.db1!.ns, [[pods.web1!.ip, 80, false]]);
  });

  it("enforces egress: a 100 000-CIDR network set deny wins over a later allow, CIDR with port range, pod selector, end-of-tier deny", async () => {
    await publish([webIngressDeny, webIngressFromDev, threats, clientEgress]);
    await expectVerdicts(pods.client1!.ns, [
      [THREAT, 80, false], // in the threat set: the Deny comes before the 0.0.0.0/0:80 allow
      [OUT1, 80, true], // 0.0.0.0/0 port 80
      [OUT1, 8081, true], // 198.51.100.1/32 ports 8000:8100
      [OUT1, 9000, false], // no rule: end-of-tier deny
      [OUT2, 8081, true], // OUT2 is pod shop/remote-web (app=web): allowed by selector
      [pods.web1!.ip, 80, true], // selector egress + web ingress from dev
      [pods.db1!.ip, 5432, false], // end-of-tier deny
    ]);
    // db1 is selected by nothing: unaffected
    await expectVerdicts(pods.db1!.ns, [[THREAT, 80, true]]);
    const counters = await agent!.counters();
    expect(counters.get("GlobalNetworkPolicy client-egress egress")?.packets ?? 0).toBeGreaterThan(0);
  });

  it("Pass in an earlier tier hands the decision to the next tier; Deny there is final", async () => {
    await publish([webIngressDeny, webIngressFromDev, threats, clientEgress, securityTier, securityPass]);
    await expectVerdicts(pods.client1!.ns, [
      [OUT1, 8081, true], // passed to default tier, allowed there
      [OUT1, 9000, false], // passed, then default end-of-tier deny
      [pods.web1!.ip, 80, false], // security tier denies TCP 80 outside 198.51.100.0/24
      [THREAT, 9000, false], // security end-of-tier deny
    ]);
  });

  it("a new pod matching a selector gets the policy; a deleted pod loses its rules", async () => {
    // client2 exists as a namespace but is unknown to Kubernetes: no policy applies yet.
    await expectVerdicts(pods.client2!.ns, [[OUT1, 9000, true]]);
    api.upsertPod(podObject("client2", "dev", { app: "client" }, pods.client2!.ip));
    await expectVerdicts(pods.client2!.ns, [
      [OUT1, 9000, false],
      [OUT1, 8081, true],
    ]);
    expect(agent!.status().lastApply?.kind).toBe("elements");
    api.deletePod("dev", "client2");
    await expectVerdicts(pods.client2!.ns, [[OUT1, 9000, true]]);
  });

  it("restarts watches after an informer error and keeps following pods", async () => {
    const before = agent!.status().informerRestarts;
    api.failRequests(2);
    api.closeWatches();
    expect(await eventually(() => agent!.status().informerRestarts > before, 100, 50)).toBe(true);
    // A watch from a forgotten resourceVersion gets 410: the client relists.
    api.compact();
    api.closeWatches();
    api.upsertPod(podObject("web2", "shop", { app: "web" }, pods.web2!.ip));
    await expectVerdicts(pods.db1!.ns, [[pods.web2!.ip, 80, false]]);
    await expectVerdicts(pods.client1!.ns, [[pods.web2!.ip, 5432, false]]);
  });

  it("refuses and reports corrupt, forged and foreign bundles; enforcement is unchanged", async () => {
    const applied = agent!.status().appliedRevision!;
    const good = signBundle({ format: BUNDLE_FORMAT, cluster: CLUSTER, revision: applied + 1, publishedAt: "x", resources: [] }, key.secretKeyHex);
    const tampered = { ...good, payload: good.payload.replace('"resources":[]', '"resources":[{}]') };
    const refusalsBefore = agent!.status().refusals.length;
    const refusedSince = () => agent!.status().refusals.slice(refusalsBefore).map((r) => r.reason);
    console_.serve(applied + 1, tampered);
    expect(await eventually(() => refusedSince().includes("bad-signature"), 100, 50)).toBe(true);
    const other = generateSigningKey();
    console_.publish([], { secretKeyHex: other.secretKeyHex, revision: applied + 2 });
    expect(await eventually(() => refusedSince().includes("unknown-key"), 100, 50)).toBe(true);
    console_.publish([], { cluster: "elsewhere", revision: applied + 3 });
    expect(await eventually(() => refusedSince().includes("wrong-cluster"), 100, 50)).toBe(true);
    console_.serve(applied + 4, { payload: "{}", signature: "not-a-signature" });
    expect(await eventually(() => refusedSince().includes("malformed"), 100, 50)).toBe(true);
    expect(agent!.status().appliedRevision).toBe(applied);
    await expectVerdicts(pods.client1!.ns, [
      [OUT1, 9000, false],
      [OUT1, 8081, true],
    ]);
    // Back to a good bundle with the same policies (the next revision number).
    console_.publish([webIngressDeny, webIngressFromDev, threats, clientEgress, securityTier, securityPass], { revision: applied + 5 });
    expect(await eventually(() => agent!.status().appliedRevision === applied + 5, 200, 50)).toBe(true);
  });

  it("keeps enforcing when the console is down, and follows pods meanwhile", async () => {
    await console_.stop();
    await expectVerdicts(pods.client1!.ns, [
      [OUT1, 9000, false],
      [OUT1, 8081, true],
    ]);
    expect(await eventually(() => agent!.status().console.connected === false, 100, 100)).toBe(true);
    api.upsertPod(podObject("client2", "dev", { app: "client" }, pods.client2!.ip));
    await expectVerdicts(pods.client2!.ns, [[OUT1, 9000, false]]);
    api.deletePod("dev", "client2");
    await expectVerdicts(pods.client2!.ns, [[OUT1, 9000, true]]);
  });

  it("repairs changes made behind its back (drift)", async () => {
    // Let the last apply record its read-back digest first, then flush the egress chain:
    // client1's egress is then unenforced.
    await agent!.reconciler.settled();
    lab.nft(["flush", "chain", "inet", "portcullis", "egress"]);
    await expectVerdicts(pods.client1!.ns, [[OUT1, 9000, true]], 5);
    expect(await agent!.reconciler.driftCheck()).toBe(true);
    await expectVerdicts(pods.client1!.ns, [[OUT1, 9000, false]]);
    expect(agent!.status().applier.driftRepairs).toBeGreaterThan(0);
  });

  it("a failed element apply keeps the previous rules and the next apply is full", async () => {
    // Remove client1 from the dispatch map behind the agent's back, then delete the pod: the
    // element delete fails (no such element), nothing changes, and a full apply follows.
    const fullBefore = agent!.status().applier.full;
    const failedBefore = agent!.status().applier.failed;
    const maps = JSON.parse(lab.nft(["-j", "list", "maps", "inet"])) as { nftables: Array<{ map?: { name: string; table: string } }> };
    const dispatch = maps.nftables.map((m) => m.map).find((m) => m && m.table === "portcullis" && m.name.startsWith("dispatch_eg_") && lab.nft(["list", "map", "inet", "portcullis", m.name]).includes(pods.client1!.ip));
    expect(dispatch).toBeDefined();
    lab.nft(["delete", "element", "inet", "portcullis", dispatch!.name, `{ ${pods.client1!.ip} }`]);
    api.deletePod("dev", "client1");
    expect(await eventually(() => agent!.status().applier.failed > failedBefore, 100, 50)).toBe(true);
    expect(agent!.status().lastError).not.toBeNull();
    expect(await eventually(() => agent!.status().applier.full > fullBefore, 100, 50)).toBe(true);
    api.upsertPod(podObject("client1", "dev", { app: "client" }, pods.client1!.ip));
    await expectVerdicts(pods.client1!.ns, [
      [OUT1, 9000, false],
      [OUT1, 8081, true],
    ]);
  });

  it("restarting the agent adopts the table: no wrong verdict across the restart", async () => {
    await agent!.reconciler.settled();
    const loop = lab.startLoop(pods.client1!.ns, [
      [OUT1, 8081, true],
      [OUT1, 9000, false],
      [THREAT, 80, false],
      [pods.db1!.ip, 80, false],
    ]);
    await new Promise((r) => setTimeout(r, 500));
    await agent!.stop();
    await new Promise((r) => setTimeout(r, 300));
    // The console is still down: the new agent starts from the bundle on disk.
    agent = newAgent();
    agent.start();
    expect(await eventually(() => agent!.status().lastApply !== null, 200, 50)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const stats = await loop.stop();
    expect(stats.attempts).toBeGreaterThan(8);
    expect(stats.details).toEqual([]);
    expect(stats.wrong).toBe(0);
    expect(agent.status().lastApply?.kind).toBe("adopted");
    expect(agent.status().applier.full).toBe(0);
  });
});
