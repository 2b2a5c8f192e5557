/**
 * The egress gateway controller of one node (issue #8): plans from the bundle's EgressIPPools
 * and EgressAssignments, the cluster's pods (from the agent) and nodes (its own informer),
 * keeps the per-IP Leases (`leases.ts`), and programs the node: `table ip portcullis_egress`,
 * fwmark rules and route tables, egress IPs on the uplink with gratuitous ARP (`host.ts`).
 * See `plan.ts` for the data path and `leases.ts` for ownership and fencing.
 *
 * Events only mark the controller dirty; one sync at a time computes the desired state and
 * applies what changed: set elements only for pod churn, an atomic replacement of the (small)
 * table when holders or assignments change. Losing an IP removes SNAT and routes first, then
 * the address; gaining one adds the address first, then SNAT, then announces it. Every
 * `resyncIntervalMs` the whole state is re-applied (repairs changes made behind its back).
 */
import { CoreV1Api, makeInformer, type Informer, type KubeConfig, type ObjectCache, type V1Node } from "@kubernetes/client-node";
import type { TResource } from "../../server/policy/resources";
import { nftRunner, type NftRunner } from "../dataplane/nft";
import { Host } from "./host";
import { DEFAULT_LEASE_TIMING, LeaseKeeper, type HolderChange, type LeaseTiming } from "./leases";
import { DEFAULT_RENDER, EGRESS_TABLE_REF, maxSlots, planEgress, renderDataplane, type DataplaneState, type EgressNode, type EgressPlan, type EgressPod, type HolderView } from "./plan";

export interface EgressConfig {
  /** The node's underlay interface: egress IPs are added here and traffic leaves through it. */
  uplink: string;
  podCidrs: readonly string[];
  serviceCidrs: readonly string[];
  /** More cluster-internal ranges never sent through a gateway (e.g. the node network). */
  internalCidrs?: readonly string[] | undefined;
  /** Namespace of the per-IP Leases. */
  leaseNamespace: string;
  timing?: LeaseTiming | undefined;
  markMask?: number | undefined;
  routeTableBase?: number | undefined;
  rulePriority?: number | undefined;
  /** Run ip/nft/arping in this network namespace (labs and tests). */
  netns?: string | undefined;
  resyncIntervalMs?: number | undefined;
  /** Send gratuitous ARP when taking an IP (needs `arping`); default true. */
  garp?: boolean | undefined;
}

export interface EgressInputs {
  resources: readonly TResource[];
  pods: readonly EgressPod[];
}

export interface EgressControllerOptions extends EgressConfig {
  nodeName: string;
  kubeConfig: KubeConfig;
  /** Current bundle resources and pods; null until both are known (nothing is programmed before). */
  inputs: () => EgressInputs | null;
  nft?: NftRunner | undefined;
  log?: ((msg: string) => void) | undefined;
}

export interface EgressIpStatus {
  ip: string;
  pool: string;
  /** Node holding the IP's lease (null: nobody), and whether that lease is current. */
  holder: string | null;
  valid: boolean;
  /** ISO time the holder acquired it. */
  since: string | null;
  /** This node holds and serves it. */
  servedHere: boolean;
  transitions: number;
  /** Holder changes seen by this node (latest last). */
  history: HolderChange[];
  gatewayNodes: string[];
}

export interface EgressAssignmentStatus {
  namespace: string;
  name: string;
  ip: string | null;
  status: "ok" | "no-gateway";
  reason: string | null;
  gateway: string | null;
  pods: number;
  destinations: "outside-cluster" | string[];
}

export interface EgressStatus {
  node: string;
  ready: boolean;
  ips: EgressIpStatus[];
  assignments: EgressAssignmentStatus[];
  applies: { full: number; elements: number; noop: number; failed: number };
  leaseRequests: number;
  lastError: string | null;
  warnings: string[];
}

function toEgressNode(n: V1Node): EgressNode | null {
  const name = n.metadata?.name;
  if (!name) return null;
  const addrs = n.status?.addresses ?? [];
  const v4 = (type: string) => addrs.find((a) => a.type === type && /^\d+\.\d+\.\d+\.\d+$/.test(a.address))?.address;
  return { name, labels: n.metadata?.labels ?? {}, address: v4("InternalIP") ?? v4("ExternalIP") ?? null };
}

export class EgressController {
  private readonly leases: LeaseKeeper;
  private readonly host: Host;
  private readonly nft: NftRunner;
  private readonly nodes: Informer<V1Node> & ObjectCache<V1Node>;
  private readonly render;
  private nodesListed = false;
  private stopped = true;
  private dirty = false;
  private forceFull = true;
  private running: Promise<void> | null = null;
  private applied: DataplaneState | null = null;
  private lastPlan: EgressPlan | null = null;
  private lastHolders = new Map<string, HolderView>();
  private lastError: string | null = null;
  private readonly applies = { full: 0, elements: 0, noop: 0, failed: 0 };
  private resyncTimer: NodeJS.Timeout | undefined;
  private lifetimeTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private nodeRestart: NodeJS.Timeout | undefined;
  private nodeDelay = 200;

  constructor(private readonly opts: EgressControllerOptions) {
    this.render = { ...DEFAULT_RENDER, ...(opts.markMask !== undefined ? { markMask: opts.markMask } : {}), ...(opts.routeTableBase !== undefined ? { routeTableBase: opts.routeTableBase } : {}), ...(opts.rulePriority !== undefined ? { rulePriority: opts.rulePriority } : {}) };
    this.nft = opts.nft ?? nftRunner({ netns: opts.netns });
    this.host = new Host({ uplink: opts.uplink, netns: opts.netns, routeTableBase: this.render.routeTableBase, tableCount: maxSlots(this.render.markMask), garp: opts.garp, log: opts.log });
    this.leases = new LeaseKeeper({
      kubeConfig: opts.kubeConfig,
      namespace: opts.leaseNamespace,
      identity: opts.nodeName,
      timing: opts.timing ?? DEFAULT_LEASE_TIMING,
      onChange: () => this.markDirty(),
      log: opts.log,
    });
    const core = opts.kubeConfig.makeApiClient(CoreV1Api);
    this.nodes = makeInformer<V1Node>(opts.kubeConfig, "/api/v1/nodes", () => core.listNode());
    for (const ev of ["add", "update", "delete"] as const) this.nodes.on(ev, () => this.markDirty());
    this.nodes.on("connect", () => {
      this.nodeDelay = 200;
    });
    this.nodes.on("error", () => this.restartNodes());
  }

  private restartNodes(): void {
    if (this.stopped || this.nodeRestart) return;
    const delay = this.nodeDelay;
    this.nodeDelay = Math.min(this.nodeDelay * 2, 5000);
    this.nodeRestart = setTimeout(() => {
      this.nodeRestart = undefined;
      void this.runNodes();
    }, delay);
  }

  private async runNodes(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.nodes.start();
      this.nodesListed = true;
      this.markDirty();
    } catch {
      this.restartNodes();
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.forceFull = true;
    this.leases.start();
    void this.runNodes();
    this.resyncTimer = setInterval(() => {
      this.forceFull = true;
      this.markDirty();
    }, this.opts.resyncIntervalMs ?? 30_000);
    // Kernel-side fence: held addresses carry a lifetime of one lease, renewed while this node
    // serves the lease, so a dead agent's addresses leave the uplink without its help.
    this.lifetimeTimer = setInterval(() => void this.refreshLifetimes(), this.timing().retryPeriodMs);
    this.markDirty();
  }

  private timing() {
    return this.opts.timing ?? DEFAULT_LEASE_TIMING;
  }

  /** Address lifetime in whole seconds: the lease duration, rounded up. */
  private lifetimeSeconds(): number {
    return Math.max(1, Math.ceil(this.timing().leaseDurationMs / 1000));
  }

  private async refreshLifetimes(): Promise<void> {
    const held = (this.applied?.addresses ?? []).filter((ip) => {
      const v = this.leases.view(ip);
      return v?.holder === this.opts.nodeName && v.serving;
    });
    if (held.length === 0) return;
    await this.host.refreshAddresses(held, this.lifetimeSeconds()).catch((err: unknown) => {
      this.opts.log?.(`egress address lifetime refresh failed: ${err instanceof Error ? err.message : String(err)}`);
      this.markDirty();
    });
  }

  /**
   * Stops at once: no more renewing, and this node stops serving every egress IP it held (the
   * address leaves the uplink; its pods' gatewayed traffic is dropped here rather than leaking).
   * With `release`, held leases are handed back so another gateway takes over without waiting
   * for expiry (planned shutdown); without it, they expire (as when the node fails).
   */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of [this.resyncTimer, this.retryTimer, this.nodeRestart, this.lifetimeTimer]) if (t) clearTimeout(t);
    this.resyncTimer = this.retryTimer = this.nodeRestart = this.lifetimeTimer = undefined;
    const leasesStopped = this.leases.stop(opts);
    await this.running;
    await this.fence();
    await leasesStopped;
    await this.nodes.stop().catch(() => undefined);
  }

  /** Stop serving: every assignment fails closed, the egress IPs leave the uplink. */
  private async fence(): Promise<void> {
    if (!this.lastPlan) return;
    const holders = new Map<string, HolderView>();
    for (const [ip, h] of this.lastHolders) holders.set(ip, h.kind === "self" ? { kind: "none", reason: "agent stopped" } : h);
    try {
      await this.apply(this.lastPlan, holders, true);
    } catch (err) {
      this.opts.log?.(`egress fence on stop failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  markDirty(): void {
    if (this.stopped) return;
    this.dirty = true;
    this.running ??= this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when no sync is pending or running. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    await Promise.resolve();
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        await this.sync();
        this.lastError = null;
      } catch (err) {
        this.applies.failed++;
        this.forceFull = true;
        this.lastError = err instanceof Error ? err.message : String(err);
        this.opts.log?.(`egress apply failed: ${this.lastError}`);
        if (!this.retryTimer && !this.stopped) {
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.markDirty();
          }, 1000);
        }
      }
    }
  }

  private holderViews(plan: EgressPlan, nodes: readonly EgressNode[]): Map<string, HolderView> {
    const byName = new Map(nodes.map((n) => [n.name, n] as const));
    const out = new Map<string, HolderView>();
    for (const ip of plan.leases.keys()) {
      const v = this.leases.view(ip);
      if (!v || v.holder === null) out.set(ip, { kind: "none", reason: this.leases.ready() ? "no node holds the lease" : "leases not known yet" });
      else if (v.holder === this.opts.nodeName) out.set(ip, v.serving ? { kind: "self", node: v.holder } : { kind: "none", reason: "this node's lease is not renewed (fenced)" });
      else if (!v.valid) out.set(ip, { kind: "none", reason: `lease of ${v.holder} expired` });
      else {
        const addr = byName.get(v.holder)?.address;
        out.set(ip, addr ? { kind: "remote", node: v.holder, address: addr } : { kind: "none", reason: `holder ${v.holder} has no known address` });
      }
    }
    return out;
  }

  private async sync(): Promise<void> {
    const inputs = this.opts.inputs();
    if (!inputs || !this.nodesListed) return;
    const nodes = this.nodes.list().flatMap((n) => toEgressNode(n) ?? []);
    const plan = planEgress(inputs.resources, inputs.pods, nodes, { podCidrs: this.opts.podCidrs, serviceCidrs: this.opts.serviceCidrs, internalCidrs: this.opts.internalCidrs });
    this.leases.setDesired(plan.leases);
    if (!this.leases.ready()) return;
    const holders = this.holderViews(plan, nodes);
    await this.apply(plan, holders, false);
    this.lastPlan = plan;
    this.lastHolders = holders;
  }

  private poolCidrs(plan: EgressPlan, inputs: readonly TResource[] | null): string[] {
    const cidrs = new Set<string>();
    for (const r of inputs ?? []) if (r.kind === "EgressIPPool") for (const c of r.spec.cidrs) cidrs.add(c);
    for (const ip of plan.leases.keys()) cidrs.add(`${ip}/32`);
    return [...cidrs];
  }

  private async apply(plan: EgressPlan, holders: Map<string, HolderView>, force: boolean): Promise<void> {
    const state = renderDataplane(plan, holders, this.render);
    const prev = this.applied;
    const full = force || this.forceFull || !prev || prev.structure !== state.structure;
    const managed = this.poolCidrs(plan, this.opts.inputs()?.resources ?? null);
    for (const a of prev?.addresses ?? []) if (!managed.includes(`${a}/32`)) managed.push(`${a}/32`);
    const gaining = state.addresses.filter((a) => !prev?.addresses.includes(a));
    // Gaining an IP: the address goes on first, so SNATted replies are accepted.
    if (gaining.length) await this.host.addAddresses(gaining, this.lifetimeSeconds());
    let script = "";
    if (full) {
      script = `add table ${EGRESS_TABLE_REF}\ndelete table ${EGRESS_TABLE_REF}\n${state.structure}`;
      for (const [set, els] of state.elements) if (els.length) script += `add element ${EGRESS_TABLE_REF} ${set} { ${els.join(", ")} }\n`;
    } else {
      for (const [set, els] of state.elements) {
        const before = prev.elements.get(set) ?? [];
        if (before.length === els.length && before.every((e, i) => e === els[i])) continue;
        script += `flush set ${EGRESS_TABLE_REF} ${set}\n`;
        if (els.length) script += `add element ${EGRESS_TABLE_REF} ${set} { ${els.join(", ")} }\n`;
      }
    }
    if (script) await this.nft.run(["-f", "-"], script);
    const routesChanged = full || JSON.stringify(prev.routes) !== JSON.stringify(state.routes) || JSON.stringify(prev.rules) !== JSON.stringify(state.rules);
    if (routesChanged) {
      await this.host.syncRoutes(state.routes);
      await this.host.syncRules(state.rules);
    }
    // Losing an IP: SNAT and routes are gone already; now the address.
    const { added } = await this.host.syncAddresses(state.addresses, managed, this.lifetimeSeconds());
    for (const a of new Set([...gaining, ...added])) this.host.announce(a);
    if (full) this.applies.full++;
    else if (script || routesChanged) this.applies.elements++;
    else this.applies.noop++;
    this.applied = state;
    this.forceFull = false;
  }

  status(): EgressStatus {
    const plan = this.lastPlan;
    const ips: EgressIpStatus[] = [];
    for (const [ip, l] of plan?.leases ?? []) {
      const v = this.leases.view(ip);
      ips.push({
        ip,
        pool: l.pool,
        holder: v?.holder ?? null,
        valid: v?.valid ?? false,
        since: v?.since ?? null,
        servedHere: !this.stopped && this.lastHolders.get(ip)?.kind === "self",
        transitions: v?.transitions ?? 0,
        history: v?.history ?? [],
        gatewayNodes: l.gatewayNodes,
      });
    }
    const assignments: EgressAssignmentStatus[] = (plan?.assignments ?? []).map((a) => {
      const h: HolderView = this.stopped ? { kind: "none", reason: "agent stopped" } : a.ip ? (this.lastHolders.get(a.ip) ?? { kind: "none", reason: "no lease holder" }) : { kind: "none", reason: a.problem ?? "no egress ip" };
      return {
        namespace: a.namespace,
        name: a.name,
        ip: a.ip,
        status: h.kind === "none" ? "no-gateway" : "ok",
        reason: h.kind === "none" ? h.reason : null,
        gateway: h.kind === "none" ? null : h.node,
        pods: a.podIps.length,
        destinations: a.destinations ?? "outside-cluster",
      };
    });
    return {
      node: this.opts.nodeName,
      ready: plan !== null,
      ips: ips.sort((a, b) => a.ip.localeCompare(b.ip)),
      assignments,
      applies: { ...this.applies },
      leaseRequests: this.leases.requests,
      lastError: this.lastError,
      warnings: plan?.warnings ?? [],
    };
  }
}
