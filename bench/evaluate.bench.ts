/**
 * Flow evaluation throughput: 1 000 policies in 3 tiers, network sets
 * totalling 100 000 CIDRs, 500 pods in 20 namespaces, a mix of pod-to-pod,
 * pod-to-internet (deny-list hits, DNS-policy destinations) and
 * internet-to-pod flows.
 */
import { compileSnapshot, evaluateFlow, parseResourceOrThrow, type Flow, type Snapshot, type TResource } from "../server/policy/index";
import { throughput, type BenchSuite } from "./harness";
import { seededRandom as rng } from "../server/policy/random";


const NAMESPACES = 20;
const PODS_PER_NS = 25;
const APPS = 10;
const GLOBAL_SETS = 40;
const NAMESPACED_SETS = 10;
const CIDRS_TOTAL = 100_000;
const POLICIES = 1000;

function buildSnapshot(): Snapshot {
  const rand = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const resources: unknown[] = [];
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => ({ metadata: { name: `ns-${i}`, labels: { team: `team-${i % 5}`, env: i % 4 === 0 ? "dev" : "prod" } } }));
  const pods = namespaces.flatMap((ns, i) =>
    Array.from({ length: PODS_PER_NS }, (_, j) => ({
      metadata: { name: `pod-${j}`, namespace: ns.metadata.name, labels: { app: `app-${j % APPS}`, tier: j % 3 === 0 ? "web" : "backend", version: `v${j % 4}` } },
      spec: { serviceAccountName: `sa-${j % APPS}`, containers: [{ name: "c", ports: [{ name: "http", containerPort: 8080 }, { name: "metrics", containerPort: 9090 }] }] },
      status: { podIPs: [{ ip: `10.${i}.${Math.floor(j / 250)}.${(j % 250) + 1}` }] },
    })),
  );

  resources.push(
    { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "security" }, spec: { order: 100 } },
    { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "platform" }, spec: { order: 200, defaultAction: "Pass" } },
  );

  // Network sets: 40 global deny/allow lists + 10 namespaced sets, 100 000 CIDRs in all.
  const perSet = CIDRS_TOTAL / (GLOBAL_SETS + NAMESPACED_SETS);
  const setNets = (k: number) =>
    Array.from({ length: perSet }, (_, n) => {
      const x = k * perSet + n;
      return n % 2 === 0 ? `${100 + (x % 100)}.${(x >> 8) & 255}.${x & 255}.0/24` : `${100 + (x % 100)}.${(x >> 8) & 255}.${x & 255}.${1 + (n % 250)}`;
    });
  for (let k = 0; k < GLOBAL_SETS; k++) {
    resources.push({
      apiVersion: "projectcalico.org/v3",
      kind: "GlobalNetworkSet",
      metadata: { name: `feed-${k}`, labels: { feed: `f${k % 8}`, kind: k % 2 ? "deny" : "allow" } },
      spec: { nets: setNets(k), ...(k % 5 === 0 ? { allowedEgressDomains: [`*.partner${k}.example`] } : {}) },
    });
  }
  for (let k = 0; k < NAMESPACED_SETS; k++) {
    resources.push({
      apiVersion: "projectcalico.org/v3",
      kind: "NetworkSet",
      metadata: { name: `partners-${k}`, namespace: `ns-${k}`, labels: { role: "partner" } },
      spec: { nets: setNets(GLOBAL_SETS + k) },
    });
  }

  // Policies: 100 security GNPs, 300 platform GNPs, 600 default-tier NPs.
  let count = 0;
  for (let i = 0; i < 100; i++, count++) {
    resources.push({
      apiVersion: "projectcalico.org/v3",
      kind: "GlobalNetworkPolicy",
      metadata: { name: `sec-${i}` },
      spec: {
        tier: "security",
        order: i,
        selector: i % 10 === 0 ? "all()" : `app == "app-${i % APPS}"`,
        namespaceSelector: i % 10 === 0 ? undefined : `team == "team-${i % 5}"`,
        types: ["Ingress", "Egress"],
        ingress: [{ action: "Deny", source: { selector: `feed == "f${i % 8}"`, namespaceSelector: "global()" } }, { action: "Pass", source: { notNets: ["192.0.2.0/24"] } }],
        egress: [
          { action: "Log", destination: { selector: `kind == "deny" && feed == "f${i % 8}"`, namespaceSelector: "global()" } },
          { action: "Deny", destination: { selector: `kind == "deny" && feed == "f${i % 8}"`, namespaceSelector: "global()" } },
          { action: "Pass" },
        ],
      },
    });
  }
  for (let i = 0; i < 300; i++, count++) {
    resources.push({
      apiVersion: "projectcalico.org/v3",
      kind: "GlobalNetworkPolicy",
      metadata: { name: `plat-${i}` },
      spec: {
        tier: "platform",
        order: i,
        selector: `tier == "${i % 2 ? "web" : "backend"}" && version != "v${i % 4}"`,
        types: ["Egress"],
        egress: [
          { action: "Allow", protocol: "UDP", destination: { selector: 'k8s-app == "kube-dns"', namespaceSelector: "all()", ports: [53] } },
          { action: "Deny", protocol: "TCP", destination: { nets: [`172.${16 + (i % 16)}.0.0/16`], ports: [22, "3389"] } },
        ],
      },
    });
  }
  while (count < POLICIES) {
    const ns = `ns-${count % NAMESPACES}`;
    const app = `app-${count % APPS}`;
    resources.push({
      apiVersion: "projectcalico.org/v3",
      kind: "NetworkPolicy",
      metadata: { name: `np-${count}`, namespace: ns },
      spec: {
        order: 100 + (count % 50),
        selector: `app == "${app}"`,
        types: ["Ingress", "Egress"],
        ingress: [
          { action: "Allow", protocol: "TCP", source: { selector: `app == "app-${(count + 1) % APPS}"` }, destination: { ports: ["http"] } },
          { action: "Allow", protocol: "TCP", source: { namespaceSelector: `team == "team-${count % 5}"` }, destination: { ports: [9090, "8000:8100"] } },
        ],
        egress: [
          { action: "Allow", protocol: "TCP", destination: { selector: `app == "app-${(count + 2) % APPS}"`, ports: ["http"] } },
          { action: "Allow", protocol: "TCP", destination: { domains: [`*.svc${count % 7}.example.com`], ports: [443] } },
          { action: "Allow", protocol: "TCP", destination: { selector: 'role == "partner" || kind == "allow"', ports: [443] } },
        ],
      },
    });
    count++;
  }
  void pick;
  return { resources: resources.map((r) => parseResourceOrThrow(JSON.parse(JSON.stringify(r)))) as TResource[], pods, namespaces };
}

function buildFlows(n: number): Flow[] {
  const rand = rng(7);
  const podKey = () => `ns-${Math.floor(rand() * NAMESPACES)}/pod-${Math.floor(rand() * PODS_PER_NS)}`;
  const externalIp = () => `${100 + Math.floor(rand() * 100)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 250)}`;
  const flows: Flow[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.4) flows.push({ source: { pod: podKey() }, destination: { pod: podKey() }, protocol: "TCP", port: pickPort(rand) });
    else if (r < 0.75) flows.push({ source: { pod: podKey() }, destination: { ip: externalIp() }, protocol: "TCP", port: 443 });
    else if (r < 0.85) flows.push({ source: { pod: podKey() }, destination: { ip: externalIp(), domain: `api.svc${Math.floor(rand() * 7)}.example.com` }, protocol: "TCP", port: 443 });
    else flows.push({ source: { ip: externalIp() }, destination: { pod: podKey() }, protocol: "TCP", port: pickPort(rand) });
  }
  return flows;
}

function pickPort(rand: () => number): number {
  const ports = [8080, 9090, 8050, 5432, 22];
  return ports[Math.floor(rand() * ports.length)]!;
}

const suite: BenchSuite = {
  name: "evaluate",
  async run(report) {
    const t0 = performance.now();
    const snapshot = buildSnapshot();
    const t1 = performance.now();
    const compiled = compileSnapshot(snapshot);
    const t2 = performance.now();
    report({ name: "evaluate.parse", value: t1 - t0, unit: "ms" });
    report({ name: "evaluate.compile", value: t2 - t1, unit: "ms", target: "< 5000" });

    const flows = buildFlows(20_000);
    // First pass over every flow: cold per-endpoint caches.
    const c0 = performance.now();
    let allowed = 0;
    for (const f of flows) if (evaluateFlow(compiled, f).action === "Allow") allowed++;
    const c1 = performance.now();
    report({ name: "evaluate.flows.cold", value: (flows.length * 1000) / (c1 - c0), unit: "flows/s" });
    report({ name: "evaluate.allowed-share", value: (allowed * 100) / flows.length, unit: "%" });

    let i = 0;
    const ops = throughput(() => {
      evaluateFlow(compiled, flows[i++ % flows.length]!);
    }, 2000);
    report({ name: "evaluate.flows", value: ops, unit: "flows/s", target: ">= 10000" });
  },
};

export default suite;
