/**
 * Agent entry point: `tsx agents/main.ts`. Configuration comes from the environment
 * (validated with zod); see `agentConfigFromEnv`. Exposes Prometheus metrics on
 * PORTCULLIS_METRICS_PORT (`/metrics`) and the status (`/status`, the same object
 * `Agent.status()` returns, which the console reporter will send).
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import client from "prom-client";
import { z } from "zod";
import { Agent } from "./agent";
import { DEFAULT_FAILSAFES, type FailsafeRule } from "./compiler/compile";
import { nftRunner } from "./dataplane/nft";
import { loadKubeConfig } from "./kube/cluster-source";

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
  /** File holding the agent credential (re-read on every request). */
  PORTCULLIS_TOKEN_FILE: z.string().min(1),
  PORTCULLIS_STATE_DIR: z.string().min(1).default("/var/lib/portcullis"),
  /** Comma-separated failsafe list (`tcp:53,udp:53`); "none" disables; unset = defaults. */
  PORTCULLIS_FAILSAFES: z.string().optional(),
  /** Kubeconfig file; unset = in-cluster config when running in a pod, else the default rules. */
  KUBECONFIG: z.string().optional(),
  PORTCULLIS_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Run nft inside this network namespace (tests and labs); unset = the agent's own. */
  PORTCULLIS_NETNS: z.string().optional(),
  PORTCULLIS_DRIFT_INTERVAL_MS: z.coerce.number().int().min(1000).default(30_000),
});

export type AgentEnv = z.output<typeof ZAgentEnv>;

export function failsafesFrom(text: string | undefined): FailsafeRule[] {
  if (text === undefined || text.trim() === "") return [...DEFAULT_FAILSAFES];
  if (text.trim() === "none") return [];
  return text.split(",").map((s) => ZFailsafe.parse(s.trim()));
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

export async function runAgent(env: AgentEnv): Promise<{ agent: Agent; server: Server; stop: () => Promise<void> }> {
  const inCluster = !env.KUBECONFIG && Boolean(process.env.KUBERNETES_SERVICE_HOST);
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
  return {
    agent,
    server,
    stop: async () => {
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
