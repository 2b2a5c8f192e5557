/**
 * Egress gateways (root): three node namespaces on one underlay, the egress controller of
 * every node against the in-process Kubernetes API server (nodes, Leases), the shipped lease
 * timings (DEFAULT_LEASE_TIMING: lease 2 000 ms, renew every 667 ms, stop serving 1 333 ms
 * after the last renew).
 * - failover: the holder is cut off (underlay link down and the API server unreachable for
 *   it); time until a pod on another node reaches the outside again with the same egress IP
 *   as source (connection attempts every 20 ms), p50 and worst of 20 trials;
 * - throughput: a 200 MB TCP transfer from a pod through the gateway node, vs from a pod of a
 *   namespace without an assignment (direct egress, the node's masquerade), same run.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { parseResourceOrThrow, type TResource } from "../server/policy/resources";
import { EgressController } from "../agents/egress/controller";
import { DEFAULT_LEASE_TIMING } from "../agents/egress/leases";
import type { EgressPod } from "../agents/egress/plan";
import { FakeApiServer } from "../agents/testing/fake-apiserver";
import { ClusterLab, type LabClusterPod, type LabNode } from "../agents/testing/netlab";
import { median, percentile, type BenchSuite } from "./harness";

const OUT = "198.51.100.1";
const EGRESS_IP = "192.168.183.200";
const TRIALS = 20;
const MB = 200;

const SINK_JS = `
const net = require("node:net");
const [host, port] = [process.argv[1], Number(process.argv[2])];
net.createServer({ allowHalfOpen: true }, (c) => {
  let n = 0; let t0 = 0n;
  c.on("data", (d) => { if (!t0) t0 = process.hrtime.bigint(); n += d.length; });
  c.on("end", () => c.end(JSON.stringify({ bytes: n, ms: Number(process.hrtime.bigint() - t0) / 1e6 })));
  c.on("error", () => {});
}).listen(port, host, () => process.stdout.write("ready\\n"));
`;

const SEND_JS = `
const net = require("node:net");
const [host, port, mb] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const buf = Buffer.alloc(1 << 20, 7);
let sent = 0; let out = "";
const s = net.connect({ host, port, allowHalfOpen: true }, () => {
  const pump = () => { while (sent < mb) { sent++; if (!s.write(buf)) { s.once("drain", pump); return; } } s.end(); };
  pump();
});
s.on("data", (d) => (out += d));
s.on("end", () => process.stdout.write(out));
s.on("error", (e) => { process.stderr.write(e.message); process.exit(1); });
`;

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export default {
  name: "egress",
  needs: ["root"],
  async run(report) {
    const lab = new ClusterLab(83, "192.168.183", [OUT]);
    const api = new FakeApiServer();
    const controllers = new Map<string, EgressController>();
    try {
      lab.create(3);
      const a1 = lab.addPod(lab.node(1));
      const b1 = lab.addPod(lab.node(1));
      await lab.serveWhoami(lab.outside, [[OUT, 8080]]);
      const sink = lab.spawnNode(lab.outside, SINK_JS, [OUT, "9000"]);
      await new Promise<void>((resolve) => sink.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && resolve()));
      await api.start();
      for (const n of lab.nodes) api.upsertNode({ metadata: { name: n.name, labels: n.index >= 2 ? { "egress-gateway": "true" } : {} }, status: { addresses: [{ type: "InternalIP", address: n.address }] } });
      const pv = "portcullis.dev/v1";
      const resources: TResource[] = [
        parseResourceOrThrow({ apiVersion: pv, kind: "EgressIPPool", metadata: { name: "gw" }, spec: { cidrs: ["192.168.183.200/31"], gatewayNodeSelector: "egress-gateway == 'true'" } }),
        parseResourceOrThrow({ apiVersion: pv, kind: "EgressAssignment", metadata: { name: "a", namespace: "team-a" }, spec: { pool: "gw", ip: EGRESS_IP } }),
      ];
      const pods: EgressPod[] = [
        { namespace: "team-a", labels: {}, ips: [a1.ip] },
        { namespace: "team-b", labels: {}, ips: [b1.ip] },
      ];
      const start = (node: LabNode) => {
        const kc = new KubeConfig();
        kc.loadFromString(api.kubeconfig(`token-${node.name}`));
        const c = new EgressController({
          nodeName: node.name,
          kubeConfig: kc,
          uplink: "eth0",
          podCidrs: ["10.83.0.0/16"],
          serviceCidrs: ["10.96.0.0/12"],
          internalCidrs: ["192.168.183.0/24"],
          leaseNamespace: "portcullis-system",
          timing: DEFAULT_LEASE_TIMING,
          netns: node.ns,
          inputs: () => ({ resources, pods }),
        });
        c.start();
        controllers.set(node.name, c);
      };
      for (const n of lab.nodes) start(n);
      const serving = () => [...controllers.entries()].filter(([, c]) => c.status().ips.some((x) => x.ip === EGRESS_IP && x.servedHere)).map(([n]) => n);
      const seenBy = (name: string, holder: string) => controllers.get(name)!.status().ips.some((x) => x.ip === EGRESS_IP && x.holder === holder && x.valid);
      await waitFor(() => serving().length === 1, 15_000, "a first holder");
      const ask = async (p: LabClusterPod) => lab.whoami(p.ns, OUT, 8080, 500);
      if ((await ask(a1)) !== EGRESS_IP) throw new Error("namespace A does not leave with its egress IP");

      // 1. Failover.
      const results: Array<{ t: number; done: number; src: string | null }> = [];
      const loop = lab.whoamiLoop(a1.ns, OUT, 8080, (r) => results.push(r), 20, 200);
      const times: number[] = [];
      try {
        for (let i = 0; i < TRIALS; i++) {
          const holder = serving()[0]!;
          const other = holder === "node-2" ? "node-3" : "node-2";
          const node = lab.nodes.find((n) => n.name === holder)!;
          await new Promise((r) => setTimeout(r, 300));
          lab.setLink(node, false);
          api.cutOff(`token-${holder}`);
          // From here on the old holder is unreachable: any answer with the egress IP came through the new one.
          const t0 = Date.now();
          let back: { done: number } | undefined;
          await waitFor(() => (back = results.find((r) => r.t >= t0 && r.src === EGRESS_IP)) !== undefined, 20_000, `traffic again after cutting ${holder}`);
          times.push(back!.done - t0);
          await waitFor(() => serving().join() === other, 5000, `trial ${i}: ${other} alone serving`);
          lab.setLink(node, true);
          api.restore(`token-${holder}`);
          await waitFor(() => seenBy(holder, other), 20_000, `${holder} to follow ${other}`);
        }
      } finally {
        await loop.stop();
      }
      report({ name: "egress.failover.p50", value: median(times), unit: "ms", target: "< 3000" });
      report({ name: "egress.failover.worst", value: percentile(times, 100), unit: "ms", target: "< 10000" });

      // 2. Throughput through the gateway vs direct egress (best of 3, interleaved).
      const transfer = async (p: LabClusterPod): Promise<number> => {
        const child = lab.spawnNode(p.ns, SEND_JS, [OUT, "9000", String(MB)]);
        let out = "";
        child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
        await new Promise<void>((resolve) => child.on("exit", () => resolve()));
        const r = JSON.parse(out) as { bytes: number; ms: number };
        if (r.bytes !== MB << 20) throw new Error(`transfer from ${p.ns} delivered ${r.bytes} bytes`);
        return r.bytes / 1e6 / (r.ms / 1000);
      };
      if ((await ask(b1)) !== lab.node(1).address) throw new Error("namespace B does not leave with its node's address");
      const via: number[] = [];
      const direct: number[] = [];
      for (let i = 0; i < 3; i++) {
        via.push(await transfer(a1));
        direct.push(await transfer(b1));
      }
      const v = Math.max(...via);
      const d = Math.max(...direct);
      report({ name: "egress.throughput.via-gateway", value: v, unit: "MB/s", baseline: d, baselineLabel: "direct egress (node masquerade)" });
      report({ name: "egress.throughput.ratio-vs-direct", value: v / d, unit: "ratio", target: ">= 0.8" });
    } finally {
      for (const c of controllers.values()) await c.stop().catch(() => undefined);
      await api.stop().catch(() => undefined);
      lab.destroy();
    }
  },
} satisfies BenchSuite;
