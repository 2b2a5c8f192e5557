/**
 * Agent dataplane (root): real nftables in a network-namespace lab.
 * - full compile + apply of 1 000 policies, 10 000 pods cluster-wide, 100 000 CIDRs;
 * - pod added → its elements in the kernel (informer event → compile → nft), p99 of 50;
 * - new TCP connections per second through the node with a policy referencing a 100 000-CIDR
 *   network set, vs no table at all, and vs one nft rule per CIDR (the naive layout).
 */
import { KubeConfig } from "@kubernetes/client-node";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateSigningKey } from "../server/policy/bundle";
import { Agent } from "../agents/agent";
import { compileStructure, DEFAULT_FAILSAFES, ElementsComputer, parseBundleResources, type AgentPod } from "../agents/compiler/compile";
import { Applier } from "../agents/dataplane/applier";
import { nftRunner } from "../agents/dataplane/nft";
import { FakeApiServer, type KubeObject } from "../agents/testing/fake-apiserver";
import { FakeConsole } from "../agents/testing/fake-console";
import { NetLab } from "../agents/testing/netlab";
import { percentile, type BenchSuite } from "./harness";

const gv = "projectcalico.org/v3";
const NODE = "node-a";

function feed(n: number): string[] {
  const out: string[] = ["203.0.113.0/24"];
  let x = 0x2d000000;
  while (out.length < n) {
    x = (x + 0x9e3779b1) >>> 0;
    const a = x >>> 24;
    if (a === 0 || a === 10 || a === 127 || a === 192 || a === 198 || a === 203 || a >= 224) continue;
    out.push(`${a}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`);
  }
  return out;
}

function clusterObjects(podCount: number): { namespaces: KubeObject[]; pods: KubeObject[] } {
  const namespaces: KubeObject[] = [];
  for (let i = 0; i < 50; i++) namespaces.push({ metadata: { name: `ns${i}`, labels: { team: `t${i % 10}`, env: i % 2 ? "prod" : "dev" } } });
  const pods: KubeObject[] = [];
  for (let i = 0; i < podCount; i++) {
    const ip = `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    pods.push({
      metadata: { name: `p${i}`, namespace: `ns${i % 50}`, labels: { app: `app${i % 200}`, tier: i % 3 ? "backend" : "frontend" } },
      spec: { nodeName: i % 50 === 0 ? NODE : `node-${i % 7}`, containers: [{ ports: [{ name: "http", containerPort: 8080 }] }] },
      status: { phase: "Running", podIP: ip, podIPs: [{ ip }] },
    });
  }
  return { namespaces, pods };
}

function policies(count: number, cidrs: string[]): unknown[] {
  const docs: unknown[] = [{ apiVersion: gv, kind: "GlobalNetworkSet", metadata: { name: "threats", labels: { feed: "threats" } }, spec: { nets: cidrs } }];
  docs.push({ apiVersion: gv, kind: "Tier", metadata: { name: "security" }, spec: { order: 100 } });
  docs.push({
    apiVersion: gv,
    kind: "GlobalNetworkPolicy",
    metadata: { name: "security.threats" },
    spec: { tier: "security", order: 1, selector: "all()", types: ["Egress"], egress: [{ action: "Deny", destination: { selector: "feed == 'threats'" } }, { action: "Pass" }] },
  });
  for (let i = 0; docs.length < count + 1; i++) {
    docs.push({
      apiVersion: gv,
      kind: "NetworkPolicy",
      metadata: { name: `pol-${i}`, namespace: `ns${i % 50}` },
      spec: {
        order: i,
        selector: `app == 'app${i % 200}'`,
        types: ["Ingress", "Egress"],
        ingress: [
          { action: "Allow", protocol: "TCP", source: { selector: `app == 'app${(i + 1) % 200}'`, namespaceSelector: `team == 't${i % 10}'` }, destination: { ports: [8080, "9000:9100"] } },
          { action: "Allow", protocol: "TCP", destination: { ports: ["http"] } },
        ],
        egress: [
          { action: "Allow", protocol: "UDP", destination: { ports: [53] } },
          { action: "Allow", protocol: "TCP", destination: { nets: [`172.${16 + (i % 16)}.0.0/16`], notNets: [`172.${16 + (i % 16)}.1.0/24`] } },
          { action: "Allow", destination: { selector: `tier == 'backend'` } },
        ],
      },
    });
  }
  return docs;
}

const CONNECT_JS = `
const net = require("node:net");
const [host, port, ms] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
let n = 0; const end = Date.now() + ms;
const one = () => new Promise((res) => { const s = net.connect({ host, port }); s.on("connect", () => { n++; s.destroy(); res(); }); s.on("error", () => res()); });
(async () => { const workers = Array.from({ length: 8 }, async () => { while (Date.now() < end) await one(); }); await Promise.all(workers); process.stdout.write(String(n / (ms / 1000))); })();
`;

function connectRate(ns: string, host: string, port: number, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", CONNECT_JS, host, String(port), String(ms)]);
    let out = "";
    c.stdout.on("data", (d: Buffer) => (out += d.toString()));
    c.on("exit", () => (out ? resolve(Number(out)) : reject(new Error("connect rate probe failed"))));
  });
}

export default {
  name: "dataplane",
  needs: ["root"],
  async run(report) {
    const lab = new NetLab(88, ["198.51.100.1"]);
    const api = new FakeApiServer();
    const key = generateSigningKey();
    const con = new FakeConsole("bench", key.secretKeyHex, "t", 1000);
    const stateDir = mkdtempSync(path.join(tmpdir(), "pc-bench-"));
    let agent: Agent | undefined;
    try {
      lab.create();
      const cidrs = feed(100_000);
      const docs = policies(1000, cidrs);
      const { namespaces, pods } = clusterObjects(10_000);

      // 1. Full compile + apply.
      const t0 = performance.now();
      const parsed = parseBundleResources(docs);
      const structure = compileStructure(parsed.resources, { failsafes: DEFAULT_FAILSAFES });
      const elements = new ElementsComputer(structure).compute({ pods: pods as unknown as AgentPod[], namespaces, nodeName: NODE, dns: new Map() });
      await new Applier({ runner: nftRunner({ netns: lab.node }) }).apply(structure, elements);
      report({ name: "dataplane.full.1k-policies.10k-pods.100k-cidrs", value: performance.now() - t0, unit: "ms", target: "< 3000" });

      // 2. Pod added → enforced (elements in the kernel), through informers and the loop.
      await api.start();
      await con.start();
      for (const ns of namespaces) api.upsertNamespace(ns);
      for (const p of pods) api.upsertPod(p);
      con.publish(docs);
      const kc = new KubeConfig();
      kc.loadFromString(api.kubeconfig());
      agent = new Agent({
        cluster: "bench",
        nodeName: NODE,
        consoleUrl: con.url,
        publicKeyHex: key.publicKeyHex,
        credential: () => "t",
        stateDir,
        kubeConfig: kc,
        failsafes: DEFAULT_FAILSAFES,
        nft: nftRunner({ netns: lab.node }),
        minIntervalMs: 20,
        driftIntervalMs: 3_600_000,
      });
      agent.start();
      const a = agent;
      while (a.status().appliedRevision !== 1) await new Promise((r) => setTimeout(r, 20));
      await a.reconciler.settled();
      const dispatchName = structure.sets.find((s) => s.source.kind === "dispatch" && s.source.dir === "egress" && s.source.family === 4)!.name;
      const latencies: number[] = [];
      for (let i = 0; i < 50; i++) {
        const ip = `10.99.0.${i + 1}`;
        const start = performance.now();
        api.upsertPod({ metadata: { name: `new${i}`, namespace: "ns1", labels: { app: "app1" } }, spec: { nodeName: NODE }, status: { phase: "Running", podIP: ip } });
        for (;;) {
          const cur = a.applier.current?.elements.get(dispatchName);
          if (cur?.includes(`${ip} : jump egress`)) break;
          await new Promise((r) => setTimeout(r, 1));
        }
        latencies.push(performance.now() - start);
        await a.reconciler.settled();
      }
      report({ name: "dataplane.pod-add-enforced.p99", value: percentile(latencies, 99), unit: "ms", target: "< 200" });
      await a.stop();
      agent = undefined;

      // 3. New-connection rate: client pod → outside server through the node.
      const client = lab.addPod();
      await lab.serve(lab.outside, [["198.51.100.1", 80]]);
      lab.nft(["delete", "table", "inet", "portcullis"]);
      // "No policy" is the agent's table with nothing published (conntrack, failsafes, empty
      // dispatch maps), as on a node where Portcullis runs before any policy exists; a run with no
      // table at all (no conntrack either) is reported beside it. Short runs, the three layouts in
      // rotating order, medians compared: one long run after another would leave the later runs
      // the earlier ones' TIME_WAIT sockets.
      spawnSync("ip", ["netns", "exec", client.ns, "sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1"]);
      const ms = 1200;
      const cPod: AgentPod = { metadata: { name: "client", namespace: "ns0", labels: { app: "app0" } }, spec: { nodeName: NODE }, status: { podIP: client.ip } };
      const layouts = [
        { name: "none", resources: null },
        { name: "empty", resources: [] as unknown[] },
        { name: "set", resources: policies(1, cidrs) },
      ].map((l) => {
        if (!l.resources) return { name: l.name, structure: null, elements: null };
        const st = compileStructure(parseBundleResources(l.resources).resources, { failsafes: DEFAULT_FAILSAFES });
        return { name: l.name, structure: st, elements: new ElementsComputer(st).compute({ pods: [cPod], namespaces, nodeName: NODE, dns: new Map() }) };
      });
      const runs = new Map<string, number[]>(layouts.map((l) => [l.name, []]));
      for (let round = 0; round < 6; round++) {
        for (let k = 0; k < layouts.length; k++) {
          const l = layouts[(round + k) % layouts.length]!;
          // Declaring the table first makes the delete succeed whether or not it is there.
          lab.nft(["-f", "-"], "table inet portcullis\ndelete table inet portcullis\n");
          if (l.structure) await new Applier({ runner: nftRunner({ netns: lab.node }) }).apply(l.structure, l.elements!);
          runs.get(l.name)!.push(await connectRate(client.ns, "198.51.100.1", 80, ms));
        }
      }
      const none = percentile(runs.get("none")!, 50);
      const empty = percentile(runs.get("empty")!, 50);
      const withSet = percentile(runs.get("set")!, 50);
      report({ name: "dataplane.conn-rate.100k-cidr-set", value: withSet, unit: "conn/s", baseline: empty, baselineLabel: "no policy (agent table, nothing published)", target: "> 0" });
      report({ name: "dataplane.conn-rate.ratio-vs-no-policy", value: withSet / empty, unit: "ratio", target: ">= 0.9" });
      report({ name: "dataplane.conn-rate.100k-cidr-set-vs-no-table", value: withSet, unit: "conn/s", baseline: none, baselineLabel: "no table at all (no conntrack)" });
      lab.nft(["-f", "-"], "table inet portcullis\ndelete table inet portcullis\n");
      const naive = ["table inet naive {", " chain naive_fwd {", "  type filter hook forward priority filter; policy accept;", "  ct state established,related accept"];
      for (const c of cidrs) naive.push(`  ip daddr ${c} counter drop`);
      naive.push(" }", "}");
      lab.nft(["-f", "-"], naive.join("\n") + "\n");
      const perRule = await connectRate(client.ns, "198.51.100.1", 80, ms);
      report({ name: "dataplane.conn-rate.100k-cidr-set-vs-rule-per-cidr", value: withSet, unit: "conn/s", baseline: perRule, baselineLabel: "one nft rule per CIDR (100 000 rules)" });
    } finally {
      await agent?.stop().catch(() => undefined);
      await con.stop().catch(() => undefined);
      await api.stop().catch(() => undefined);
      lab.destroy();
      rmSync(stateDir, { recursive: true, force: true });
    }
  },
} satisfies BenchSuite;
