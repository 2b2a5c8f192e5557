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
