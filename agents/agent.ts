/**
 * The agent, wired: Kubernetes informers and the bundle client mark the reconcile loop dirty;
 * the loop compiles and applies through the applier. Used by `agents/main.ts`, the dataplane
 * tests and the bench.
 */
import type { KubeConfig, V1Namespace, V1Pod } from "@kubernetes/client-node";
import path from "node:path";
import type { AgentPod, FailsafeRule } from "./compiler/compile";
import { BundleSource, type BundleRefusal } from "./bundle/bundle-source";
import { Applier } from "./dataplane/applier";
import type { NftRunner } from "./dataplane/nft";
import { readTable } from "./dataplane/readback";
import { Reconciler, type ReconcilerStatus } from "./dataplane/reconciler";
import { ClusterSource } from "./kube/cluster-source";
import { AgentDns, type AgentDnsOptions, type AgentDnsStatus } from "./dns/agent-dns";
import { EgressController, type EgressConfig, type EgressStatus } from "./egress/controller";
import { egressInputsFrom } from "./egress/inputs";

export interface AgentOptions {
  cluster: string;
  nodeName: string;
  consoleUrl: string;
  publicKeyHex: string;
  credential: () => string;
  stateDir: string;
  kubeConfig: KubeConfig;
  failsafes: readonly FailsafeRule[];
  nft: NftRunner;
  minIntervalMs?: number;
  driftIntervalMs?: number;
  bundleRequestTimeoutMs?: number;
  log?: (msg: string) => void;
  /** DNS policy: proxy, redirect and learned sets (issue #7); off when unset. */
  dns?: AgentDnsOptions | undefined;
  /** Egress gateways (issue #8): when set, the agent runs the egress controller. */
  egress?: EgressConfig | undefined;
}

export interface AgentStatus extends ReconcilerStatus {
  ready: { cluster: boolean; bundle: boolean };
  console: { connected: boolean; lastError: string | null };
  refusals: readonly BundleRefusal[];
  applier: Applier["stats"];
  informerRestarts: number;
  /** DNS proxy, learned cache and learned names/addresses; null when DNS policy is off. */
  dns: AgentDnsStatus | null;
  /** Egress gateway state (IP holders, assignments); absent when egress is off. */
  egress?: EgressStatus | undefined;
}

function toAgentPod(p: V1Pod): AgentPod | null {
  if (!p.metadata?.name) return null;
  return {
    metadata: { name: p.metadata.name, namespace: p.metadata.namespace, labels: p.metadata.labels },
    spec: {
      nodeName: p.spec?.nodeName,
      hostNetwork: p.spec?.hostNetwork,
      serviceAccountName: p.spec?.serviceAccountName,
      containers: (p.spec?.containers ?? []).map((c) => ({ ports: (c.ports ?? []).map((port) => ({ name: port.name, containerPort: port.containerPort, protocol: port.protocol })) })),
    },
    status: { phase: p.status?.phase, podIP: p.status?.podIP, podIPs: p.status?.podIPs?.map((x) => ({ ip: x.ip })) },
  };
}

function toNamespace(n: V1Namespace): { metadata: { name: string; labels?: Record<string, string> | undefined } } | null {
  return n.metadata?.name ? { metadata: { name: n.metadata.name, labels: n.metadata.labels } } : null;
}

export class Agent {
  readonly applier: Applier;
  readonly reconciler: Reconciler;
  readonly bundles: BundleSource;
  readonly clusterSource: ClusterSource;
  /** Learned DNS answers (domain-set id → IPs); filled by the DNS proxy. */
  readonly dns = new Map<string, string[]>();
  /** DNS policy (when configured): proxy supervisor, learned cache, redirect state. */
  readonly dnsPolicy: AgentDns | undefined;
  /** The egress gateway controller, when `opts.egress` is set. */
  readonly egress: EgressController | undefined;

  constructor(readonly opts: AgentOptions) {
    const log = opts.log ?? (() => undefined);
    this.dnsPolicy = opts.dns
      ? new AgentDns(opts.dns, { stateDir: opts.stateDir, applyNow: () => this.reconciler.applyNow(), markDirty: () => this.reconciler.markDirty(), log })
      : undefined;
    this.applier = new Applier({ runner: opts.nft, stateFile: path.join(opts.stateDir, "dataplane.json") });
    this.clusterSource = new ClusterSource({
      kubeConfig: opts.kubeConfig,
      onChange: () => {
        this.reconciler.markDirty();
        this.egress?.markDirty();
        this.notify();
      },
      onError: (resource, err) => log(`informer ${resource} failed, restarting: ${err instanceof Error ? err.message : String(err)}`),
      restartBackoffMs: { initial: 200, max: 30_000 },
    });
    this.bundles = new BundleSource({
      consoleUrl: opts.consoleUrl,
      cluster: opts.cluster,
      publicKeyHex: opts.publicKeyHex,
      credential: opts.credential,
      stateDir: opts.stateDir,
      requestTimeoutMs: opts.bundleRequestTimeoutMs,
      backoffMs: { initial: 200, max: 10_000 },
      onBundle: (b) => {
        log(`bundle revision ${b.payload.revision} (${b.signed.sha256.slice(0, 12)}) accepted`);
        this.reconciler.markDirty();
        this.egress?.markDirty();
      },
      onRefused: (r) => {
        log(r.message);
        this.notify();
      },
    });
    this.reconciler = new Reconciler({
      applier: this.applier,
      compiler: { failsafes: opts.failsafes, dns: this.dnsPolicy?.compilerConfig() },
      onDomainSets: (sets) => this.dnsPolicy?.setDomainSets(sets),
      minIntervalMs: opts.minIntervalMs,
      driftIntervalMs: opts.driftIntervalMs,
      inputs: () => this.inputs(),
      onApplied: (r) => {
        if (r.kind === "full" || r.kind === "adopted") log(`applied (${r.kind}${r.reason ? `: ${r.reason}` : ""})`);
        this.notify();
      },
      onError: (err) => {
        log(`apply failed: ${err instanceof Error ? err.message : String(err)}`);
        this.notify();
      },
    });
    this.egress = opts.egress
      ? new EgressController({
          ...opts.egress,
          nodeName: opts.nodeName,
          kubeConfig: opts.kubeConfig,
          log,
          inputs: () => {
            const b = this.bundles.current;
            return b && this.clusterSource.ready() ? egressInputsFrom(b.signed.sha256, b.payload.resources, this.clusterSource.listPods()) : null;
          },
        })
      : undefined;
  }

  private readonly agentPods = new WeakMap<object, AgentPod | null>();

  private inputs() {
    const b = this.bundles.current;
    if (!b || !this.clusterSource.ready() || (this.dnsPolicy && !this.dnsPolicy.ready())) return null;
    const pods: AgentPod[] = [];
    for (const p of this.clusterSource.listPods()) {
      // The same informer object gives the same AgentPod, so the compiler's per-pod caches hold.
      let a = this.agentPods.get(p);
      if (a === undefined) this.agentPods.set(p, (a = toAgentPod(p) ?? null));
      if (a) pods.push(a);
    }
    const namespaces = this.clusterSource.listNamespaces().flatMap((n) => toNamespace(n) ?? []);
    return {
      bundle: { revision: b.payload.revision, sha256: b.signed.sha256, resources: b.payload.resources },
      cluster: { pods, namespaces, nodeName: this.opts.nodeName, dns: this.dns, ...this.dnsPolicy?.clusterInputs() },
    };
  }

  start(): void {
    this.bundles.loadFromDisk();
    void this.dnsPolicy?.start();
    this.reconciler.start();
    this.clusterSource.start();
    this.bundles.start();
    this.egress?.start();
  }

  async stop(): Promise<void> {
    await this.egress?.stop();
    await this.bundles.stop();
    await this.clusterSource.stop();
    await this.dnsPolicy?.stop();
    await this.reconciler.stop();
  }

  private readonly listeners = new Set<() => void>();

  /** Called after an apply, a failed apply, a refused bundle or a cluster change (e.g. to report to the console). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private notify(): void {
    for (const fn of this.listeners) fn();
  }

  status(): AgentStatus {
    return {
      ...this.reconciler.status,
      ready: { cluster: this.clusterSource.ready(), bundle: this.bundles.current !== null },
      console: { connected: this.bundles.connected, lastError: this.bundles.lastError },
      refusals: [...this.bundles.refusals],
      applier: { ...this.applier.stats },
      informerRestarts: this.clusterSource.restarts,
      dns: this.dnsPolicy?.status() ?? null,
      ...(this.egress ? { egress: this.egress.status() } : {}),
    };
  }

  /** Hit counters per policy chain, read from the kernel ("<Kind> [ns/]name <direction>" → packets). */
  async counters(): Promise<Map<string, { packets: number; bytes: number }>> {
    const table = await readTable(this.opts.nft);
    const names = this.applier.current?.structure.policyChains ?? new Map<string, string>();
    const out = new Map<string, { packets: number; bytes: number }>();
    for (const [chain, c] of table.counters) out.set(names.get(chain) ?? chain, { packets: c.packets, bytes: c.bytes });
    return out;
  }
}
