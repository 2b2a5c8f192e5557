/**
 * A small routed "cluster" out of network namespaces, for real-traffic tests and benches:
 *
 * - a node namespace with IP forwarding; the agent's nft table goes there;
 * - pod namespaces, each joined to the node by a veth pair (pod `eth0` 10.x.N.2/24, node side
 *   10.x.N.1/24, default route via the node), so pod ↔ pod and pod ↔ outside traffic is routed
 *   by the node and crosses its forward hook, as on a Calico node;
 * - an "outside" namespace behind the node with extra addresses on its loopback, routed via
 *   the node.
 *
 * TCP servers are small Node processes run with `ip netns exec`; probes are run in batches by a
 * Node process inside the source namespace. Every name carries a per-lab id, and `destroy()`
 * removes every namespace the lab made (deleting a namespace deletes its veths).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";

function sh(cmd: string, args: readonly string[], input?: string): string {
  const r = spawnSync(cmd, args, { input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

export interface LabPod {
  ns: string;
  ip: string;
  index: number;
}

const SERVER_JS = `
const net = require("node:net");
const ports = JSON.parse(process.argv[1]);
let n = 0;
for (const [host, port] of ports) {
  const s = net.createServer((c) => { c.on("error", () => {}); c.end("ok"); });
  s.listen(port, host, () => { if (++n === ports.length) process.stdout.write("ready\\n"); });
}
`;

const PROBE_JS = `
const net = require("node:net");
const [targets, timeout] = [JSON.parse(process.argv[1]), Number(process.argv[2])];
const probe = ([host, port]) => new Promise((resolve) => {
  const s = net.connect({ host, port });
  const t = setTimeout(() => { s.destroy(); resolve(false); }, timeout);
  s.on("connect", () => { clearTimeout(t); s.destroy(); resolve(true); });
  s.on("error", () => { clearTimeout(t); resolve(false); });
});
Promise.all(targets.map(probe)).then((r) => process.stdout.write(JSON.stringify(r)));
`;

/** Connects to each target every `everyMs` until SIGTERM; prints counts of unexpected verdicts. */
const LOOP_JS = `
const net = require("node:net");
const [targets, timeout, everyMs] = [JSON.parse(process.argv[1]), Number(process.argv[2]), Number(process.argv[3])];
const stats = { attempts: 0, wrong: 0, details: [] };
const probe = ([host, port]) => new Promise((resolve) => {
  const s = net.connect({ host, port });
  const t = setTimeout(() => { s.destroy(); resolve(false); }, timeout);
  s.on("connect", () => { clearTimeout(t); s.destroy(); resolve(true); });
  s.on("error", () => { clearTimeout(t); resolve(false); });
});
let stop = false;
process.on("SIGTERM", () => { stop = true; });
(async () => {
  while (!stop) {
    const started = Date.now();
    const r = await Promise.all(targets.map((t) => probe([t[0], t[1]])));
    r.forEach((ok, i) => { stats.attempts++; if (ok !== targets[i][2]) { stats.wrong++; if (stats.details.length < 20) stats.details.push({ target: targets[i], got: ok, at: Date.now() }); } });
    await new Promise((res) => setTimeout(res, Math.max(0, everyMs - (Date.now() - started))));
  }
  process.stdout.write(JSON.stringify(stats));
  process.exit(0);
})();
`;

export class NetLab {
  readonly id: string;
  readonly node: string;
  readonly outside: string;
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private podCount = 0;
  readonly outsideAddrs: string[];

  /** `net` is the second octet for pod addresses (10.<net>.N.2). */
  constructor(
    readonly net = 77,
    outsideAddrs: string[] = ["198.51.100.1", "198.51.100.2", "203.0.113.7"],
  ) {
    this.id = randomBytes(3).toString("hex");
    this.node = `pc${this.id}-node`;
    this.outside = `pc${this.id}-out`;
    this.outsideAddrs = outsideAddrs;
  }

  private netns(name: string): void {
    sh("ip", ["netns", "add", name]);
    this.namespaces.push(name);
    sh("ip", ["-n", name, "link", "set", "lo", "up"]);
  }

  create(): void {
    this.netns(this.node);
    sh("ip", ["netns", "exec", this.node, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    this.netns(this.outside);
    sh("ip", ["-n", this.node, "link", "add", "vout", "type", "veth", "peer", "name", "eth0", "netns", this.outside]);
    sh("ip", ["-n", this.node, "addr", "add", "192.168.254.1/24", "dev", "vout"]);
    sh("ip", ["-n", this.node, "link", "set", "vout", "up"]);
    sh("ip", ["-n", this.outside, "addr", "add", "192.168.254.2/24", "dev", "eth0"]);
    sh("ip", ["-n", this.outside, "link", "set", "eth0", "up"]);
    sh("ip", ["-n", this.outside, "route", "add", `10.${this.net}.0.0/16`, "via", "192.168.254.1"]);
    for (const a of this.outsideAddrs) {
      sh("ip", ["-n", this.outside, "addr", "add", `${a}/32`, "dev", "lo"]);
      sh("ip", ["-n", this.node, "route", "add", `${a}/32`, "via", "192.168.254.2"]);
    }
  }

  /** Adds a pod namespace wired to the node; returns its namespace name and IP. */
  addPod(): LabPod {
    const index = ++this.podCount;
    const ns = `pc${this.id}-p${index}`;
    this.netns(ns);
    const veth = `vp${index}`;
    sh("ip", ["-n", this.node, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns]);
    sh("ip", ["-n", this.node, "addr", "add", `10.${this.net}.${index}.1/24`, "dev", veth]);
    sh("ip", ["-n", this.node, "link", "set", veth, "up"]);
    const ip = `10.${this.net}.${index}.2`;
    sh("ip", ["-n", ns, "addr", "add", `${ip}/24`, "dev", "eth0"]);
    sh("ip", ["-n", ns, "link", "set", "eth0", "up"]);
    sh("ip", ["-n", ns, "route", "add", "default", "via", `10.${this.net}.${index}.1`]);
    return { ns, ip, index };
  }

  /** Starts TCP servers answering on (host, port) pairs inside `ns`; resolves when listening. */
  async serve(ns: string, listeners: ReadonlyArray<readonly [string, number]>): Promise<void> {
    const child = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", SERVER_JS, JSON.stringify(listeners)], { stdio: ["ignore", "pipe", "pipe"] });
    this.children.add(child);
    await new Promise<void>((resolve, reject) => {
      let err = "";
      child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
      child.stdout!.on("data", (d: Buffer) => {
        if (d.toString().includes("ready")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`server in ${ns} exited (${code}): ${err}`)));
    });
  }

  /** TCP connection attempts from `ns`, in parallel; true = connected. */
  async probe(ns: string, targets: ReadonlyArray<readonly [string, number]>, timeoutMs = 600): Promise<boolean[]> {
    const child = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", PROBE_JS, JSON.stringify(targets), String(timeoutMs)], { stdio: ["ignore", "pipe", "pipe"] });
    this.children.add(child);
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve) => child.on("exit", () => resolve()));
    this.children.delete(child);
    if (!out) throw new Error(`probe from ${ns} failed: ${err}`);
    return JSON.parse(out) as boolean[];
  }

  /** Starts a connection loop from `ns` over (host, port, expected) targets; `stop()` returns its counts. */
  startLoop(ns: string, targets: ReadonlyArray<readonly [string, number, boolean]>, timeoutMs = 400, everyMs = 25): { stop: () => Promise<{ attempts: number; wrong: number; details: unknown[] }> } {
    const child = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", LOOP_JS, JSON.stringify(targets), String(timeoutMs), String(everyMs)], { stdio: ["ignore", "pipe", "pipe"] });
    this.children.add(child);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    return {
      stop: async () => {
        // `ip netns exec` execs node directly, so the signal reaches the loop.
        child.kill("SIGTERM");
        await exited;
        this.children.delete(child);
        return JSON.parse(out) as { attempts: number; wrong: number; details: unknown[] };
      },
    };
  }

  /**
   * A veth between the test process's own namespace and the node (`hostIp` on the test side,
   * `nodeIp` on the node side), with routes to the pods and the outside addresses via the node.
   * A server in the test process (the agent's DNS proxy) bound to `hostIp` is then reachable
   * from the node as if it ran there. Deleting the node namespace removes the link and routes.
   */
  hostLink(): { hostIp: string; nodeIp: string } {
    const hostIf = `pch${this.id}`;
    const hostIp = `10.${this.net}.250.1`;
    const nodeIp = `10.${this.net}.250.2`;
    sh("ip", ["link", "add", hostIf, "type", "veth", "peer", "name", "vhost", "netns", this.node]);
    sh("ip", ["addr", "add", `${hostIp}/30`, "dev", hostIf]);
    sh("ip", ["link", "set", hostIf, "up"]);
    sh("ip", ["-n", this.node, "addr", "add", `${nodeIp}/30`, "dev", "vhost"]);
    sh("ip", ["-n", this.node, "link", "set", "vhost", "up"]);
    sh("ip", ["route", "add", `10.${this.net}.0.0/16`, "via", nodeIp]);
    for (const a of this.outsideAddrs) sh("ip", ["route", "add", `${a}/32`, "via", nodeIp]);
    return { hostIp, nodeIp };
  }

  /** Makes every address of `cidr` local to the outside namespace (servers on 0.0.0.0 answer on all of them). */
  addOutsideRange(cidr: string): void {
    sh("ip", ["-n", this.outside, "route", "add", "local", cidr, "dev", "lo"]);
    sh("ip", ["-n", this.node, "route", "add", cidr, "via", "192.168.254.2"]);
  }

  /** Sets a sysctl inside `ns`. */
  sysctl(ns: string, key: string, value: string | number): void {
    sh("ip", ["netns", "exec", ns, "sysctl", "-qw", `${key}=${value}`]);
  }

  /** Starts a long-running process inside `ns` (killed by `destroy()`). */
  spawnIn(ns: string, cmd: string, args: readonly string[], opts: { cwd?: string } = {}): ChildProcess {
    const child = spawn("ip", ["netns", "exec", ns, cmd, ...args], { stdio: ["pipe", "pipe", "pipe"], cwd: opts.cwd });
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
    return child;
  }

  /** Runs a Node script (`node -e script args…`) inside `ns`; resolves with its stdout, rejects on a non-zero exit. */
  async runNode(ns: string, script: string, args: readonly string[] = []): Promise<string> {
    const child = this.spawnIn(ns, process.execPath, ["-e", script, ...args]);
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    if (code !== 0) throw new Error(`node script in ${ns} exited (${code}): ${err}`);
    return out;
  }

  /** Runs `nft` in the node namespace with a ruleset on stdin. */
  nft(args: readonly string[], input?: string): string {
    return sh("ip", ["netns", "exec", this.node, "nft", ...args], input);
  }

  destroy(): void {
    for (const c of this.children) c.kill("SIGKILL");
    this.children.clear();
    for (const ns of this.namespaces.reverse()) spawnSync("ip", ["netns", "delete", ns]);
    this.namespaces.length = 0;
  }
}

/** Polls `check` until it returns true or `attempts` run out (bounded; asserts behaviour, not speed). */
export async function eventually(check: () => Promise<boolean> | boolean, attempts = 100, everyMs = 100): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}

/** A node of a `ClusterLab`: its namespace, underlay address and pod range. */
export interface LabNode {
  index: number;
  name: string;
  ns: string;
  /** Underlay address on `eth0` (the uplink). */
  address: string;
  podCidr: string;
}

export interface LabClusterPod {
  ns: string;
  ip: string;
  node: LabNode;
}

const WHOAMI_SERVER_JS = `
const net = require("node:net");
const ports = JSON.parse(process.argv[1]);
let n = 0;
for (const [host, port] of ports) {
  const s = net.createServer((c) => { c.on("error", () => {}); c.end(String(c.remoteAddress)); });
  s.listen(port, host, () => { if (++n === ports.length) process.stdout.write("ready\\n"); });
}
`;

/** Connects to (host, port) every everyMs; one JSON line per attempt: {t, done, src} (src null on failure). */
const WHOAMI_LOOP_JS = `
const net = require("node:net");
const [host, port, timeout, everyMs, once] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4]), process.argv[5] === "once"];
const ask = () => new Promise((resolve) => {
  const t0 = Date.now();
  let data = "";
  let done = false;
  const finish = (src) => { if (done) return; done = true; clearTimeout(timer); s.destroy(); resolve({ t: t0, done: Date.now(), src }); };
  const s = net.connect({ host, port });
  const timer = setTimeout(() => finish(null), timeout);
  s.on("data", (d) => (data += d));
  s.on("end", () => finish(data || null));
  s.on("error", () => finish(null));
});
let stop = false;
process.on("SIGTERM", () => { stop = true; });
(async () => {
  do {
    const started = Date.now();
    process.stdout.write(JSON.stringify(await ask()) + "\\n");
    if (once) break;
    await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (Date.now() - started))));
  } while (!stop);
  process.exit(0);
})();
`;

/**
 * Several routed nodes on one L2 "underlay" (a bridge in its own namespace), an "outside"
 * router on the same underlay (default gateway of every node, with extra addresses on its
 * loopback), and pods behind the nodes:
 *
 * - node i: namespace `pc<id>-n<i>`, uplink `eth0` = `<underlay>.<10+i>/24`, pod range
 *   `10.<net>.<i>.0/24`, routes to the other nodes' pod ranges via their underlay addresses
 *   (direct routing, as Calico without encapsulation), IP forwarding on;
 * - the CNI's natOutgoing: pod traffic leaving the pod ranges is masqueraded to the node's
 *   address (`table ip lab_cni`, nat postrouting at priority srcnat), so the outside never sees
 *   a pod address and has no route to pods;
 * - pods: a veth per pod, pod `eth0` = `10.<net>.<i>.<4k+2>/30`, default via the node side.
 *
 * `destroy()` deletes every namespace it made.
 */
export class ClusterLab {
  readonly id: string;
  readonly underlay: string;
  readonly outside: string;
  readonly nodes: LabNode[] = [];
  /** The outside router's underlay address. */
  readonly gateway: string;
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private pods = 0;

  constructor(
    readonly net = 81,
    readonly underlayPrefix = "192.168.181",
    readonly outsideAddrs: readonly string[] = ["198.51.100.1"],
  ) {
    this.id = randomBytes(3).toString("hex");
    this.underlay = `pc${this.id}-ul`;
    this.outside = `pc${this.id}-out`;
    this.gateway = `${underlayPrefix}.1`;
  }

  private netns(name: string): void {
    sh("ip", ["netns", "add", name]);
    this.namespaces.push(name);
    sh("ip", ["-n", name, "link", "set", "lo", "up"]);
  }

  /** Attaches a new veth to the underlay bridge; `inner` is its peer's name inside `ns`. */
  private plug(ns: string, bridgePort: string, inner: string, address: string): void {
    sh("ip", ["-n", this.underlay, "link", "add", bridgePort, "type", "veth", "peer", "name", inner, "netns", ns]);
    sh("ip", ["-n", this.underlay, "link", "set", bridgePort, "master", "br0"]);
    sh("ip", ["-n", this.underlay, "link", "set", bridgePort, "up"]);
    sh("ip", ["-n", ns, "addr", "add", `${address}/24`, "dev", inner]);
    sh("ip", ["-n", ns, "link", "set", inner, "up"]);
  }

  create(nodeCount: number): void {
    this.netns(this.underlay);
    sh("ip", ["-n", this.underlay, "link", "add", "br0", "type", "bridge"]);
    sh("ip", ["-n", this.underlay, "link", "set", "br0", "up"]);
    this.netns(this.outside);
    this.plug(this.outside, "vout", "eth0", this.gateway);
    for (const a of this.outsideAddrs) sh("ip", ["-n", this.outside, "addr", "add", `${a}/32`, "dev", "lo"]);
    for (let i = 1; i <= nodeCount; i++) {
      const node: LabNode = { index: i, name: `node-${i}`, ns: `pc${this.id}-n${i}`, address: `${this.underlayPrefix}.${10 + i}`, podCidr: `10.${this.net}.${i}.0/24` };
      this.netns(node.ns);
      this.plug(node.ns, `vn${i}`, "eth0", node.address);
      for (const [k, v] of [["net.ipv4.ip_forward", "1"], ["net.ipv4.conf.all.send_redirects", "0"], ["net.ipv4.conf.eth0.send_redirects", "0"]] as const) this.sysctl(node.ns, k, v);
      sh("ip", ["-n", node.ns, "route", "add", "default", "via", this.gateway]);
      const cni = [
        "table ip lab_cni {",
        "  chain postrouting {",
        "    type nat hook postrouting priority srcnat; policy accept;",
        `    ip saddr 10.${this.net}.0.0/16 ip daddr != 10.${this.net}.0.0/16 masquerade`,
        "  }",
        "}",
        "",
      ].join("\n");
      sh("ip", ["netns", "exec", node.ns, "nft", "-f", "-"], cni);
      this.nodes.push(node);
    }
    for (const n of this.nodes) for (const m of this.nodes) if (n !== m) sh("ip", ["-n", n.ns, "route", "add", m.podCidr, "via", m.address]);
  }

  node(index: number): LabNode {
    return this.nodes[index - 1]!;
  }

  /** Adds a pod namespace behind `node`. */
  addPod(node: LabNode): LabClusterPod {
    const k = ++this.pods;
    if (k > 62) throw new Error("too many pods in this lab");
    const ns = `pc${this.id}-p${k}`;
    this.netns(ns);
    const veth = `vp${k}`;
    const base = `10.${this.net}.${node.index}`;
    sh("ip", ["-n", node.ns, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns]);
    sh("ip", ["-n", node.ns, "addr", "add", `${base}.${4 * k + 1}/30`, "dev", veth]);
    sh("ip", ["-n", node.ns, "link", "set", veth, "up"]);
    const ip = `${base}.${4 * k + 2}`;
    sh("ip", ["-n", ns, "addr", "add", `${ip}/30`, "dev", "eth0"]);
    sh("ip", ["-n", ns, "link", "set", "eth0", "up"]);
    sh("ip", ["-n", ns, "route", "add", "default", "via", `${base}.${4 * k + 1}`]);
    return { ns, ip, node };
  }

  sysctl(ns: string, key: string, value: string | number): void {
    sh("ip", ["netns", "exec", ns, "sysctl", "-qw", `${key}=${value}`]);
  }

  /** Takes a node's underlay link down (its bridge port) or back up. */
  setLink(node: LabNode, up: boolean): void {
    sh("ip", ["-n", this.underlay, "link", "set", `vn${node.index}`, up ? "up" : "down"]);
  }

  /** `ip` inside `ns`, output returned. */
  ip(ns: string, args: readonly string[]): string {
    return sh("ip", ["-n", ns, ...args]);
  }

  nft(ns: string, args: readonly string[], input?: string): string {
    return sh("ip", ["netns", "exec", ns, "nft", ...args], input);
  }

  /** Starts a Node process inside `ns` (killed by `destroy()`). */
  spawnNode(ns: string, script: string, args: readonly string[] = []): ChildProcess {
    const child = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
    return child;
  }

  /** TCP servers inside `ns` that answer every connection with the source address they see. */
  async serveWhoami(ns: string, listeners: ReadonlyArray<readonly [string, number]>): Promise<void> {
    const child = this.spawnNode(ns, WHOAMI_SERVER_JS, [JSON.stringify(listeners)]);
    await new Promise<void>((resolve, reject) => {
      let err = "";
      child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
      child.stdout!.on("data", (d: Buffer) => {
        if (d.toString().includes("ready")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`whoami server in ${ns} exited (${code}): ${err}`)));
    });
  }

  /** One connection from `ns`: the source address the server saw, or null when it failed. */
  async whoami(ns: string, host: string, port: number, timeoutMs = 800): Promise<string | null> {
    const child = this.spawnNode(ns, WHOAMI_LOOP_JS, [host, String(port), String(timeoutMs), "0", "once"]);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => child.on("exit", () => resolve()));
    const line = out.trim().split("\n")[0];
    if (!line) throw new Error(`whoami from ${ns} produced no result`);
    return (JSON.parse(line) as { src: string | null }).src;
  }

  /** Asks (host, port) from `ns` every `everyMs` until stopped; `onResult` gets each attempt. */
  whoamiLoop(ns: string, host: string, port: number, onResult: (r: { t: number; done: number; src: string | null }) => void, everyMs = 50, timeoutMs = 300): { stop: () => Promise<void> } {
    const child = this.spawnNode(ns, WHOAMI_LOOP_JS, [host, String(port), String(timeoutMs), String(everyMs), "loop"]);
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line) onResult(JSON.parse(line) as { t: number; done: number; src: string | null });
      }
    });
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    return {
      stop: async () => {
        child.kill("SIGTERM");
        await exited;
      },
    };
  }

  destroy(): void {
    for (const c of this.children) c.kill("SIGKILL");
    this.children.clear();
    for (const ns of this.namespaces.reverse()) spawnSync("ip", ["netns", "delete", ns]);
    this.namespaces.length = 0;
  }
}
