/**
 * Agent entry point: `tsx agents/main.ts`. Configuration comes from the environment
 * (validated with zod); see `agentConfigFromEnv`. Exposes Prometheus metrics on
 * PORTCULLIS_METRICS_PORT (`/metrics`) and the status (`/status`, the same object
 * `Agent.status()` returns, which the console reporter will send).
 */
import { readFileSync } from "node:fs";
import { ConsoleReporter, ensureCredential, type InventoryReport, type StatusReport } from "./console/client";
import { createServer, type Server } from "node:http";
import client from "prom-client";
import { z } from "zod";
import { Agent } from "./agent";
import { DEFAULT_FAILSAFES, type FailsafeRule } from "./compiler/compile";
import type { AgentDnsOptions } from "./dns/agent-dns";
import { nftRunner } from "./dataplane/nft";
import { loadKubeConfig } from "./kube/cluster-source";
import type { EgressConfig } from "./egress/controller";
import { timingFor } from "./egress/leases";

const ZFailsafe = z
  .string()
  .regex(/^(tcp|udp):\d{1,5}(@[0-9a-fA-F:./]+)?$/, "failsafe entries look like tcp:53 or udp:53@10.96.0.10/32")
  .transform((s): FailsafeRule => {
    const [proto, rest] = s.split(":", 2) as [string, string];
    const [port, cidr] = rest.split("@");
    return { protocol: proto as "tcp" | "udp", port: Number(port), cidr };
  });

export const ZAgentEnv = z.object({
  PORTCULLIS_CONSOLE_URL: z.url(),
  PORTCULLIS_CLUSTER: z.string().min(1),
  /** From the downward API (spec.nodeName). */
  NODE_NAME: z.string().min(1),
  /** Hex Ed25519 public key the bundles must verify against. */
  PORTCULLIS_PUBLIC_KEY: z.string().regex(/^[0-9a-f]{64}$/, "a 32-byte hex Ed25519 public key"),
  /** File holding the agent credential (re-read on every request); written at first registration. */
  PORTCULLIS_TOKEN_FILE: z.string().min(1).default("/var/lib/portcullis/credential"),
  /** Bootstrap token (from the install manifests' Secret), exchanged once for the credential. */
  PORTCULLIS_BOOTSTRAP_TOKEN_FILE: z.string().min(1).optional(),
  /** Seconds between heartbeats to the console. */
  PORTCULLIS_REPORT_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
  PORTCULLIS_STATE_DIR: z.string().min(1).default("/var/lib/portcullis"),
  /** Comma-separated failsafe list (`tcp:53,udp:53`); "none" disables; unset = defaults. */
  PORTCULLIS_FAILSAFES: z.string().optional(),
  /** Kubeconfig file; unset = in-cluster config when running in a pod, else the default rules. */
  KUBECONFIG: z.string().optional(),
  PORTCULLIS_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Run nft inside this network namespace (tests and labs); unset = the agent's own. */
  PORTCULLIS_NETNS: z.string().optional(),
  PORTCULLIS_DRIFT_INTERVAL_MS: z.coerce.number().int().min(1000).default(30_000),
  /** DNS policy: comma-separated cluster resolver IPs (kube-dns Service); unset = DNS policy off. */
  PORTCULLIS_DNS_RESOLVERS: z.string().optional(),
  /** Proxy listen address `ip:port` on this node; `0.0.0.0:port` = nft `redirect` to the incoming interface. */
  PORTCULLIS_DNS_LISTEN: z.string().default("0.0.0.0:15353"),
  /** Trusted upstreams `ip:port,…`; unset = every resolver on port 53. */
  PORTCULLIS_DNS_UPSTREAMS: z.string().optional(),
  PORTCULLIS_DNS_FAIL_MODE: z.enum(["closed", "open"]).default("closed"),
  PORTCULLIS_DNS_TTL_FLOOR_SECONDS: z.coerce.number().int().min(0).max(86_400).default(2),
  PORTCULLIS_DNS_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(30),
  PORTCULLIS_DNS_HOOK_TIMEOUT_MS: z.coerce.number().int().min(1).max(10_000).default(1000),
  PORTCULLIS_DNS_MAX_ENTRIES: z.coerce.number().int().min(1).default(200_000),
  /** Egress gateways (issue #8): the node's uplink interface; unset = egress gateways off. */
  PORTCULLIS_EGRESS_UPLINK: z.string().optional(),
  /** Comma-separated cluster pod and service CIDRs (never gatewayed by default), and more internal ranges. */
  PORTCULLIS_POD_CIDRS: z.string().default(""),
  PORTCULLIS_SERVICE_CIDRS: z.string().default(""),
  PORTCULLIS_EGRESS_INTERNAL_CIDRS: z.string().default(""),
  PORTCULLIS_EGRESS_LEASE_NAMESPACE: z.string().min(1).default("portcullis-system"),
  /** Lease duration; renew every duration/3, stop serving 2/3 of it after the last renew. */
  PORTCULLIS_EGRESS_LEASE_DURATION_MS: z.coerce.number().int().min(300).max(120_000).default(2000),
});

export type AgentEnv = z.output<typeof ZAgentEnv>;

export function failsafesFrom(text: string | undefined): FailsafeRule[] {
  if (text === undefined || text.trim() === "") return [...DEFAULT_FAILSAFES];
  if (text.trim() === "none") return [];
  return text.split(",").map((s) => ZFailsafe.parse(s.trim()));
}

const ZIp = z.union([z.ipv4(), z.ipv6()]);

/** `1.2.3.4:53` or `[2001:db8::1]:53`. */
export function hostPortFrom(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || !host || !ZIp.safeParse(host).success || !(port >= 1 && port <= 65535)) throw new Error(`expected ip:port or [ipv6]:port, got ${JSON.stringify(text)}`);
  return { host, port };
}

/** The agent's DNS policy options from the environment; undefined when no resolver is configured. */
export function dnsOptionsFrom(env: AgentEnv): AgentDnsOptions | undefined {
  const resolvers = (env.PORTCULLIS_DNS_RESOLVERS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (resolvers.length === 0) return undefined;
  for (const r of resolvers) if (!ZIp.safeParse(r).success) throw new Error(`PORTCULLIS_DNS_RESOLVERS: ${JSON.stringify(r)} is not an IP address`);
  const listen = hostPortFrom(env.PORTCULLIS_DNS_LISTEN);
  if (/^127\.|^::1$/.test(listen.host)) throw new Error("PORTCULLIS_DNS_LISTEN: a loopback address cannot be a DNAT target for pod traffic; use a node address or 0.0.0.0");
  return {
    resolvers,
    listen,
    upstreams: env.PORTCULLIS_DNS_UPSTREAMS ? env.PORTCULLIS_DNS_UPSTREAMS.split(",").map(hostPortFrom) : undefined,
    failMode: env.PORTCULLIS_DNS_FAIL_MODE,
    floorSeconds: env.PORTCULLIS_DNS_TTL_FLOOR_SECONDS,
    graceSeconds: env.PORTCULLIS_DNS_GRACE_SECONDS,
    hookTimeoutMs: env.PORTCULLIS_DNS_HOOK_TIMEOUT_MS,
    maxEntries: env.PORTCULLIS_DNS_MAX_ENTRIES,
  };
}

const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);

/** The egress controller's configuration from the environment; undefined when no uplink is set. */
export function egressOptionsFrom(env: AgentEnv): EgressConfig | undefined {
  if (!env.PORTCULLIS_EGRESS_UPLINK) return undefined;
  const podCidrs = list(env.PORTCULLIS_POD_CIDRS);
  if (podCidrs.length === 0) throw new Error("PORTCULLIS_POD_CIDRS is required with PORTCULLIS_EGRESS_UPLINK (cluster traffic must never be gatewayed)");
  return {
    uplink: env.PORTCULLIS_EGRESS_UPLINK,
    podCidrs,
    serviceCidrs: list(env.PORTCULLIS_SERVICE_CIDRS),
    internalCidrs: list(env.PORTCULLIS_EGRESS_INTERNAL_CIDRS),
    leaseNamespace: env.PORTCULLIS_EGRESS_LEASE_NAMESPACE,
    timing: timingFor(env.PORTCULLIS_EGRESS_LEASE_DURATION_MS),
    netns: env.PORTCULLIS_NETNS,
  };
}

export function agentConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AgentEnv {
  return ZAgentEnv.parse(env);
}

/** Prometheus metrics fed from the agent's status and the kernel's counters. */
export function agentMetrics(agent: Agent): client.Registry {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const labelsOf = (name: string) => ({ policy: name });
  new client.Gauge({
    name: "portcullis_agent_applied_revision",
    help: "Bundle revision applied to the dataplane",
    registers: [registry],
    collect() {
      this.set(agent.status().appliedRevision ?? 0);
    },
  });
  new client.Gauge({
    name: "portcullis_agent_applies",
    help: "Dataplane applies by kind since start",
    labelNames: ["kind"],
    registers: [registry],
    collect() {
      const s = agent.status().applier;
      for (const k of ["full", "elements", "noop", "adopted", "failed", "driftRepairs"] as const) this.set({ kind: k }, s[k]);
    },
  });
  new client.Gauge({
    name: "portcullis_agent_ruleset_size",
    help: "Chains, rules, sets and set elements in the compiled ruleset",
    labelNames: ["what"],
    registers: [registry],
    collect() {
      const s = agent.status().structure;
      if (!s) return;
      for (const k of ["chains", "rules", "sets", "elements"] as const) this.set({ what: k }, s[k]);
    },
  });
  new client.Gauge({
    name: "portcullis_agent_bundle_refusals",
    help: "Bundles refused since start (recent window)",
    registers: [registry],
    collect() {
      this.set(agent.status().refusals.length);
    },
  });
  new client.Gauge({
    name: "portcullis_agent_last_apply_error",
    help: "1 when the last apply failed",
    registers: [registry],
    collect() {
      this.set(agent.status().lastError ? 1 : 0);
    },
  });
  new client.Gauge({
    name: "portcullis_policy_packets",
    help: "Packets counted by the rules of each policy chain (nft counters)",
    labelNames: ["policy"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [name, c] of await agent.counters().catch(() => new Map<string, { packets: number }>())) this.set(labelsOf(name), c.packets);
    },
  });
  return registry;
}

const AGENT_VERSION = "0.1.0";

/** What the console shows for this node: revision and bundle it enforces, error, counts, hit counters. */
async function statusReport(agent: Agent): Promise<StatusReport> {
  const s = agent.status();
  const counters: Record<string, number> = {};
  for (const [name, c] of await agent.counters().catch(() => new Map<string, { packets: number }>())) counters[name] = c.packets;
  return {
    version: AGENT_VERSION,
    appliedRevision: s.appliedRevision,
    bundleSha256: s.bundleSha256,
    lastError: s.lastError?.message ?? (s.refusals.length ? `refused bundle: ${s.refusals[s.refusals.length - 1]!.reason}` : null),
    rules: s.structure?.rules,
    sets: s.structure?.sets,
    setElements: s.structure?.elements,
    counters,
    dns: s.dns ? (JSON.parse(JSON.stringify({ stats: s.dns.proxy ?? null, learned: s.dns.learned.entries.slice(0, 500), learnedTotal: s.dns.learned.total })) as Record<string, unknown>) : undefined,
    egress: s.egress ? (JSON.parse(JSON.stringify(s.egress)) as Record<string, unknown>) : undefined,
  };
}

/** Namespaces (all) and pods on this node, as the console's inventory wants them. */
function inventoryReport(agent: Agent, nodeName: string): InventoryReport | null {
  if (!agent.clusterSource.ready()) return null;
  return {
    namespaces: agent.clusterSource.listNamespaces().flatMap((n) => (n.metadata?.name ? [{ name: n.metadata.name, labels: n.metadata.labels ?? {} }] : [])),
    pods: agent.clusterSource
      .listPods()
      .filter((p) => p.spec?.nodeName === nodeName && p.metadata?.name && p.metadata.namespace && !p.spec?.hostNetwork)
      .map((p) => ({
        namespace: p.metadata!.namespace!,
        name: p.metadata!.name!,
        labels: p.metadata!.labels ?? {},
        serviceAccount: p.spec?.serviceAccountName ?? "default",
        podIps: (p.status?.podIPs ?? []).map((x) => x.ip).filter((x): x is string => Boolean(x)),
        ports: (p.spec?.containers ?? []).flatMap((c) =>
          (c.ports ?? []).flatMap((port) => (port.name ? [{ name: port.name, port: port.containerPort, protocol: (port.protocol ?? "TCP") as "TCP" | "UDP" | "SCTP" }] : [])),
        ),
        phase: p.status?.phase ?? "Unknown",
      })),
  };
}

export async function runAgent(env: AgentEnv): Promise<{ agent: Agent; server: Server; stop: () => Promise<void> }> {
  const inCluster = !env.KUBECONFIG && Boolean(process.env.KUBERNETES_SERVICE_HOST);
  // A new node registers once with the bootstrap token; later starts reuse the stored credential.
  await ensureCredential({
    consoleUrl: env.PORTCULLIS_CONSOLE_URL,
    credentialFile: env.PORTCULLIS_TOKEN_FILE,
    bootstrapTokenFile: env.PORTCULLIS_BOOTSTRAP_TOKEN_FILE,
    cluster: env.PORTCULLIS_CLUSTER,
    nodeName: env.NODE_NAME,
    version: AGENT_VERSION,
  });
  const agent = new Agent({
    cluster: env.PORTCULLIS_CLUSTER,
    nodeName: env.NODE_NAME,
    consoleUrl: env.PORTCULLIS_CONSOLE_URL,
    publicKeyHex: env.PORTCULLIS_PUBLIC_KEY,
    credential: () => readFileSync(env.PORTCULLIS_TOKEN_FILE, "utf8").trim(),
    stateDir: env.PORTCULLIS_STATE_DIR,
    kubeConfig: loadKubeConfig({ kubeconfigPath: env.KUBECONFIG, inCluster }),
    failsafes: failsafesFrom(env.PORTCULLIS_FAILSAFES),
    nft: nftRunner({ netns: env.PORTCULLIS_NETNS }),
    driftIntervalMs: env.PORTCULLIS_DRIFT_INTERVAL_MS,
    dns: dnsOptionsFrom(env),
    egress: egressOptionsFrom(env),
    log: (m) => console.log(`[portcullis-agent] ${m}`),
  });
  const registry = agentMetrics(agent);
  const server = createServer((req, res) => {
    if (req.url === "/metrics") {
      registry
        .metrics()
        .then((text) => res.writeHead(200, { "content-type": registry.contentType }).end(text))
        .catch((err: unknown) => res.writeHead(500).end(String(err)));
    } else if (req.url === "/status") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(agent.status()));
    } else if (req.url === "/healthz") {
      const s = agent.status();
      res.writeHead(s.lastError ? 503 : 200).end(s.lastError ? s.lastError.message : "ok");
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(env.PORTCULLIS_METRICS_PORT, resolve));
  agent.start();
  const reporter = new ConsoleReporter({
    consoleUrl: env.PORTCULLIS_CONSOLE_URL,
    credential: () => readFileSync(env.PORTCULLIS_TOKEN_FILE, "utf8").trim(),
    intervalMs: env.PORTCULLIS_REPORT_INTERVAL_SECONDS * 1000,
    status: () => statusReport(agent),
    inventory: () => inventoryReport(agent, env.NODE_NAME),
  });
  reporter.start();
  agent.onChange(() => reporter.poke());
  return {
    agent,
    server,
    stop: async () => {
      reporter.stop();
      await agent.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const env = agentConfigFromEnv();
  const running = await runAgent(env);
  const shutdown = () => {
    // Stop the loop; the table stays in the kernel for the next start to adopt.
    void running.stop().then(() => process.exit(0));
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}
