/**
 * DNS policy with real traffic (issue #7): a real DNS server in the lab's "outside" namespace,
 * pods whose DNS to that resolver address is redirected by the agent's nft table to the agent's
 * DNS proxy (in the test process, reached from the node over `NetLab.hostLink()`), learned
 * answers in nft timeout sets, and TCP connections from the pods to the answered addresses.
 */
import { KubeConfig } from "@kubernetes/client-node";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Answer } from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey } from "../server/policy/bundle";
import { Agent } from "./agent";
import { DEFAULT_FAILSAFES } from "./compiler/compile";
import { nftRunner } from "./dataplane/nft";
import { FakeApiServer, type KubeObject } from "./testing/fake-apiserver";
import { FakeConsole } from "./testing/fake-console";
import { eventually, NetLab, type LabPod } from "./testing/netlab";

const CLUSTER = "lab";
const NODE = "node-a";
const TOKEN = "agent-secret-token";
const RESOLVER = "198.51.100.53";
const A1 = "198.51.100.10";
const A2 = "198.51.100.11";
const B = "198.51.100.12";
const SHORT = "198.51.100.13";
const CHANGED = "198.51.100.14";
const APEX = "198.51.100.20";
const NEVER = "198.51.100.30";
const VAULT = "198.51.100.40";
const PORT = 8080;
const LOOP_RANGE = "198.18.0.0/16";
const LOOP_COUNT = 1000;
const PROXY_PORT = 15000 + Math.floor(Math.random() * 5000);

const lab = new NetLab(78, [RESOLVER, A1, A2, B, SHORT, CHANGED, APEX, NEVER, VAULT]);
const api = new FakeApiServer();
const key = generateSigningKey();
const console_ = new FakeConsole(CLUSTER, key.secretKeyHex, TOKEN, 1000);
let stateDir = "";
let agent: Agent | undefined;
let hostIp = "";
let dnsServer: ChildProcess | undefined;
const pods: Record<string, LabPod> = {};

const ZONE: Answer[] = [
  { type: "A", name: "a.example.test", ttl: 60, data: A1 },
  { type: "A", name: "a.example.test", ttl: 60, data: A2 },
  { type: "AAAA", name: "a.example.test", ttl: 60, data: "2001:db8:77::10" },
  { type: "CNAME", name: "b.c.example.test", ttl: 60, data: "edge.cdn.test" },
  { type: "CNAME", name: "edge.cdn.test", ttl: 60, data: "pop1.cdn.test" },
  { type: "A", name: "pop1.cdn.test", ttl: 60, data: B },
  { type: "A", name: "short.example.test", ttl: 1, data: SHORT },
  { type: "A", name: "example.test", ttl: 60, data: APEX },
  { type: "A", name: "vault.secure.test", ttl: 60, data: VAULT },
  ...Array.from({ length: LOOP_COUNT }, (_, i): Answer => ({ type: "A", name: `n${i}.loop.example.test`, ttl: 60, data: `198.18.${i >> 8}.${(i & 255) + 1}` })),
];

function podObject(name: string, namespace: string, labels: Record<string, string>, ip: string): KubeObject {
  return { metadata: { name, namespace, labels }, spec: { nodeName: NODE, containers: [{ name: "c" }] }, status: { phase: "Running", podIP: ip, podIPs: [{ ip }] } };
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
    dns: { resolvers: [RESOLVER], listen: { host: hostIp, port: PROXY_PORT }, floorSeconds: 1, graceSeconds: 1, hookTimeoutMs: 2000, restartDelayMs: 20 },
    log: (m) => process.env.AGENT_LOG && console.error(`[agent] ${m.slice(0, 300)}`),
  });
}

const gv = "projectcalico.org/v3";
const allowExample = {
  apiVersion: gv,
  kind: "NetworkPolicy",
  metadata: { name: "allow-example", namespace: "dev" },
  spec: {
    selector: "app == 'client'",
    types: ["Egress"],
    egress: [
      { action: "Allow", protocol: "TCP", destination: { domains: ["*.example.test"], ports: [PORT] } },
      { action: "Allow", protocol: "TCP", destination: { selector: "role == 'vault'" } },
    ],
  },
};
const otherEgress = {
  apiVersion: gv,
  kind: "NetworkPolicy",
  metadata: { name: "other-egress", namespace: "dev" },
  spec: { selector: "app == 'other'", types: ["Egress"], egress: [{ action: "Allow", protocol: "TCP", destination: { nets: [`${NEVER}/32`], ports: [9] } }] },
};
const vaultSet = {
  apiVersion: gv,
  kind: "NetworkSet",
  metadata: { name: "vault", namespace: "dev", labels: { role: "vault" }, annotations: { "portcullis.dev/exclusive-domains": "true" } },
  spec: { nets: ["203.0.113.250/32"], allowedEgressDomains: ["vault.secure.test"] },
};

/** Runs inside a pod: DNS over UDP to the resolver address, then TCP connects. */
const POD_JS = `
const dgram = require("node:dgram");
const net = require("node:net");
const dnsPacket = require(${JSON.stringify(path.resolve("node_modules/dns-packet"))});
const mode = process.argv[1];
const arg = JSON.parse(process.argv[2]);
let nextId = Math.floor(Math.random() * 60000);
function resolve(server, name, type = "A", timeout = 2000) {
  return new Promise((res) => {
    const s = dgram.createSocket("udp4");
    const id = (nextId = (nextId + 1) & 0xffff);
    const t = setTimeout(() => { s.close(); res({ ok: false, addrs: [] }); }, timeout);
    s.on("message", (msg, rinfo) => {
      let p;
      try { p = dnsPacket.decode(msg); } catch { return; }
      if (p.id !== id) return;
      clearTimeout(t); s.close();
      res({ ok: true, from: rinfo.address, rcode: p.rcode, addrs: (p.answers || []).filter((a) => a.type === type).map((a) => a.data) });
    });
    s.send(dnsPacket.encode({ type: "query", id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: "IN" }] }), 53, server);
  });
}
function connect(host, port, timeout) {
  return new Promise((res) => {
    const c = net.connect({ host, port });
    const t = setTimeout(() => { c.destroy(); res(false); }, timeout);
    c.on("connect", () => { clearTimeout(t); c.destroy(); res(true); });
    c.on("error", () => { clearTimeout(t); res(false); });
  });
}
(async () => {
  if (mode === "resolve-connect") {
    const out = [];
    for (const item of arg.items) {
      const r = await resolve(arg.server, item.name, item.type || "A", arg.dnsTimeout || 2000);
      const connected = item.type === "AAAA" ? [] : await Promise.all(r.addrs.map((a) => connect(a, item.port, arg.timeout)));
      out.push({ name: item.name, ok: r.ok, from: r.from, rcode: r.rcode, addrs: r.addrs, connected });
    }
    process.stdout.write(JSON.stringify(out));
  } else if (mode === "loop") {
    const failures = [];
    const started = Date.now();
    for (let i = 0; i < arg.count; i++) {
      const name = "n" + i + "." + arg.suffix;
      const r = await resolve(arg.server, name, "A", 3000);
      if (!r.ok || r.addrs.length === 0) { failures.push({ name, step: "dns" }); continue; }
      if (!(await connect(r.addrs[0], arg.port, 5000))) failures.push({ name, ip: r.addrs[0], step: "connect" });
    }
    process.stdout.write(JSON.stringify({ failures, ms: Date.now() - started }));
  } else if (mode === "fuzz") {
    const s = dgram.createSocket("udp4");
    const valid = dnsPacket.encode({ type: "query", id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: "A", name: "a.example.test", class: "IN" }] });
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < arg.count; i++) {
      let b;
      if (i % 3 === 0) b = Buffer.from(Array.from({ length: rnd() % 600 }, () => rnd() & 255));
      else { b = Buffer.from(valid); for (let k = 0; k < 1 + (rnd() % 6); k++) b[rnd() % b.length] = rnd() & 255; if (i % 3 === 2) b = b.subarray(0, rnd() % b.length); }
      s.send(b, 53, arg.server);
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    for (let i = 0; i < 20; i++) {
      await new Promise((res) => {
        const c = net.connect({ host: arg.server, port: 53 }, () => {
          const junk = Buffer.from(Array.from({ length: 1 + (rnd() % 300) }, () => rnd() & 255));
          c.end(junk);
        });
        c.on("error", () => res());
        c.on("close", () => res());
        setTimeout(() => { c.destroy(); res(); }, 500);
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    s.close();
    process.stdout.write(JSON.stringify({ sent: arg.count }));
  }
})();
`;

interface Resolved {
  name: string;
  ok: boolean;
  from?: string;
  rcode?: string;
  addrs: string[];
  connected: boolean[];
}

async function resolveConnect(pod: LabPod, items: Array<{ name: string; port?: number; type?: "A" | "AAAA" }>, timeout = 800, dnsTimeout = 2000): Promise<Resolved[]> {
  const out = await lab.runNode(pod.ns, POD_JS, ["resolve-connect", JSON.stringify({ server: RESOLVER, items: items.map((i) => ({ port: PORT, ...i })), timeout, dnsTimeout })]);
  return JSON.parse(out) as Resolved[];
}

function setElements(kind: "d4" | "d6"): string {
  return lab
    .nft(["list", "table", "inet", "portcullis"])
    .split(/\n\s*set /)
    .filter((block) => block.startsWith(`${kind}_`))
    .join("\n");
}

function dropCounter(): number {
  const doc = JSON.parse(lab.nft(["-j", "list", "table", "inet", "portcullis"])) as { nftables: Array<{ rule?: { comment?: string; expr?: Array<{ counter?: { packets: number } }> } }> };
  let n = 0;
  for (const item of doc.nftables) {
    if (!item.rule?.comment?.startsWith("end of tier") && !item.rule?.comment?.startsWith("exclusive domains")) continue;
    for (const e of item.rule.expr ?? []) n += e.counter?.packets ?? 0;
  }
  return n;
}

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), "pc-dns-"));
  lab.create();
  hostIp = lab.hostLink().hostIp;
  lab.addOutsideRange(LOOP_RANGE);
  pods.client = lab.addPod();
  pods.other = lab.addPod();
  pods.idle = lab.addPod();
  await lab.serve(lab.outside, [["0.0.0.0", PORT]]);
  dnsServer = lab.spawnIn(lab.outside, process.execPath, ["--import", "tsx", "agents/dns/testing/dns-server-main.ts", RESOLVER, "53"], { cwd: process.cwd() });
  await new Promise<void>((resolve, reject) => {
    let err = "";
    dnsServer!.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    dnsServer!.stdout!.once("data", (d: Buffer) => (d.toString().includes("ready") ? resolve() : reject(new Error(d.toString()))));
    dnsServer!.on("exit", (code) => reject(new Error(`DNS server exited (${code}): ${err}`)));
  });
  await setZone(ZONE);
  await api.start();
  api.token = TOKEN;
  await console_.start();
  api.upsertNamespace({ metadata: { name: "dev", labels: { team: "dev" } } });
  api.upsertPod(podObject("client", "dev", { app: "client" }, pods.client!.ip));
  api.upsertPod(podObject("other", "dev", { app: "other" }, pods.other!.ip));
  api.upsertPod(podObject("idle", "dev", { app: "idle" }, pods.idle!.ip));
  console_.publish([allowExample, otherEgress, vaultSet]);
  agent = newAgent();
  agent.start();
  expect(await eventually(() => agent!.status().appliedRevision === 1 && agent!.dnsPolicy!.supervisor !== undefined, 200, 50)).toBe(true);
}, 120_000);

afterAll(async () => {
  await agent?.stop().catch(() => undefined);
  dnsServer?.stdin?.end();
  await console_.stop().catch(() => undefined);
  await api.stop().catch(() => undefined);
  lab.destroy();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

async function setZone(records: Answer[]): Promise<void> {
  const ack = new Promise<void>((resolve) => dnsServer!.stdout!.once("data", () => resolve()));
  dnsServer!.stdin!.write(`${JSON.stringify({ records })}\n`);
  await ack;
}

describe("DNS policy with real traffic", () => {
  it("a pod allowed *.example.test reaches what a.example.test and b.c.example.test resolved to, through the redirected resolver", async () => {
    const [a, b] = await resolveConnect(pods.client!, [{ name: "a.example.test" }, { name: "b.c.example.test" }]);
    // The answer comes back from the resolver address the pod asked (conntrack un-NATs the proxy's reply).
    expect(a).toMatchObject({ ok: true, from: RESOLVER, addrs: [A1, A2], connected: [true, true] });
    expect(b).toMatchObject({ ok: true, from: RESOLVER, addrs: [B], connected: [true] });
    // The proxy answered it (not the resolver directly): the learned cache has both names.
    const learned = agent!.status().dns!.learned.entries;
    expect(learned).toEqual(expect.arrayContaining([expect.objectContaining({ name: "a.example.test", ip: A1 }), expect.objectContaining({ name: "b.c.example.test", ip: B })]));
  });

  it("but not example.test (the bare parent) nor an address it never resolved", async () => {
    const [apex] = await resolveConnect(pods.client!, [{ name: "example.test" }]);
    expect(apex).toMatchObject({ ok: true, addrs: [APEX], connected: [false] });
    expect(await lab.probe(pods.client!.ns, [[NEVER, PORT]])).toEqual([false]);
  });

  it("a second pod without the rule resolves the same name and is refused", async () => {
    const [a] = await resolveConnect(pods.other!, [{ name: "a.example.test" }]);
    expect(a).toMatchObject({ ok: true, from: RESOLVER, addrs: [A1, A2], connected: [false, false] });
  });

  it("learns AAAA answers into the IPv6 timeout sets with the cache's expiry", async () => {
    const [aaaa] = await resolveConnect(pods.client!, [{ name: "a.example.test", type: "AAAA" }]);
    expect(aaaa!.addrs).toEqual(["2001:db8:77::10"]);
    expect(setElements("d6")).toMatch(/2001:db8:77::10 timeout \S+ expires/);
    expect(setElements("d4")).toMatch(new RegExp(`${A1.replace(/\./g, "\\.")} timeout \\S+ expires`));
  });

  it("an address expires after TTL floor + grace and is refused afterwards, until it is resolved again", async () => {
    const [s] = await resolveConnect(pods.client!, [{ name: "short.example.test" }]);
    expect(s).toMatchObject({ addrs: [SHORT], connected: [true] });
    expect(await eventually(async () => (await lab.probe(pods.client!.ns, [[SHORT, PORT]], 400))[0] === false, 60, 100)).toBe(true);
    expect(setElements("d4")).not.toContain(SHORT);
    const [again] = await resolveConnect(pods.client!, [{ name: "short.example.test" }]);
    expect(again).toMatchObject({ addrs: [SHORT], connected: [true] });
  });

  it("follows changing answers: the new address is reachable once resolved", async () => {
    expect(await lab.probe(pods.client!.ns, [[CHANGED, PORT]])).toEqual([false]);
    await setZone(ZONE.map((r) => (r.name === "a.example.test" && r.type === "A" ? { ...r, data: CHANGED } : r)));
    const [a] = await resolveConnect(pods.client!, [{ name: "a.example.test" }]);
    expect(a).toMatchObject({ addrs: [CHANGED, CHANGED], connected: [true, true] });
  });

  it(`${LOOP_COUNT} resolve-then-connect attempts in a row never lose the first SYN`, async () => {
    const dropsBefore = dropCounter();
    const out = JSON.parse(await lab.runNode(pods.client!.ns, POD_JS, ["loop", JSON.stringify({ server: RESOLVER, count: LOOP_COUNT, suffix: "loop.example.test", port: PORT })])) as { failures: unknown[]; ms: number };
    console.error(`[dns-policy] ${LOOP_COUNT} resolve-then-connect in ${out.ms} ms`);
    expect(out.failures).toEqual([]);
    // Every address was new; a SYN that beat its nft element would have hit a drop rule.
    expect(dropCounter()).toBe(dropsBefore);
    expect(agent!.status().dns!.proxy!.proxy.hookTimeouts).toBe(0);
  }, 120_000);

  it("exclusive domains: a network set's learned addresses are denied to pods the policy does not allow, even pods no policy selects", async () => {
    const [v] = await resolveConnect(pods.client!, [{ name: "vault.secure.test" }]);
    expect(v).toMatchObject({ addrs: [VAULT], connected: [true] });
    // idle is selected by no policy: it may reach anything else, but not the exclusive address.
    const [fromIdle] = await resolveConnect(pods.idle!, [{ name: "vault.secure.test" }]);
    expect(fromIdle).toMatchObject({ addrs: [VAULT], connected: [false] });
    expect(await lab.probe(pods.idle!.ns, [[VAULT, PORT], [CHANGED, PORT], [NEVER, PORT]])).toEqual([false, true, true]);
  });

  it("status reports learned names and addresses with expiry, proxy and cache counters", () => {
    const dns = agent!.status().dns!;
    expect(dns.redirectActive).toBe(true);
    expect(dns.failMode).toBe("closed");
    const entry = dns.learned.entries.find((e) => e.name === "vault.secure.test")!;
    expect(entry).toMatchObject({ set: "NetworkSet dev/vault", ip: VAULT, family: 4 });
    expect(Date.parse(entry.expiresAt)).toBeGreaterThan(Date.now());
    expect(dns.learned.total).toBeGreaterThanOrEqual(LOOP_COUNT);
    expect(dns.proxy!.healthy).toBe(true);
    expect(dns.proxy!.proxy.answered).toBeGreaterThan(LOOP_COUNT);
    expect(dns.cache.answersMatched).toBeGreaterThan(LOOP_COUNT);
    expect(dns.domainSets).toBe(2);
  });

  it("a fuzzed stream of malformed DNS packets from a pod leaves the proxy serving", async () => {
    const before = agent!.status().dns!.proxy!;
    await lab.runNode(pods.client!.ns, POD_JS, ["fuzz", JSON.stringify({ server: RESOLVER, count: 3000 })]);
    const after = agent!.status().dns!.proxy!;
    expect(after.proxy.clientMalformed).toBeGreaterThan(before.proxy.clientMalformed);
    expect(after.restarts).toBe(before.restarts);
    const [a] = await resolveConnect(pods.client!, [{ name: "b.c.example.test" }]);
    expect(a).toMatchObject({ ok: true, addrs: [B], connected: [true] });
  });

  it("killing the proxy: the supervisor restarts it and pods' DNS recovers", async () => {
    const sup = agent!.dnsPolicy!.supervisor!;
    const restarts = sup.stats().restarts;
    sup.current()!.sockets().udp.close();
    expect(await eventually(() => sup.stats().restarts > restarts && sup.healthy(), 50, 20)).toBe(true);
    // Fail-closed: the redirect stayed; the new proxy answers the pod on the resolver address.
    const [a] = await resolveConnect(pods.client!, [{ name: "a.example.test" }], 800, 1000);
    expect(a).toMatchObject({ ok: true, from: RESOLVER, addrs: [CHANGED, CHANGED], connected: [true, true] });
  });

  it("learned addresses survive an agent restart: persisted, reloaded and re-applied even into a lost table", async () => {
    await agent!.stop();
    lab.nft(["delete", "table", "inet", "portcullis"]);
    agent = newAgent();
    agent.start();
    expect(await eventually(() => agent!.status().lastApply !== null, 200, 50)).toBe(true);
    expect(agent.status().dns!.cache.loaded).toBeGreaterThan(0);
    // Not resolved again since the restart: still reachable from the reloaded cache; still refused elsewhere.
    expect(await lab.probe(pods.client!.ns, [[CHANGED, PORT], [VAULT, PORT], [NEVER, PORT]])).toEqual([true, true, false]);
    expect(await lab.probe(pods.idle!.ns, [[VAULT, PORT]])).toEqual([false]);
  });
});
