/**
 * The reconcile loop: events only mark state dirty; a rate-limited loop (coalescing, at least
 * `minIntervalMs` between applies) snapshots the inputs, compiles (the structure once per
 * bundle, elements on every run) and applies. A periodic drift check repairs the table when it
 * was changed behind the agent's back. Nothing is programmed until inputs are ready (first full
 * list of pods and namespaces, and a verified bundle).
 */
import { compileStructure, ElementsComputer, parseBundleResources, type ClusterState, type CompilerConfig, type DomainSetSpec, type Structure } from "../compiler/compile";
import type { Applier, ApplyResult } from "./applier";

export interface BundleInput {
  revision: number;
  sha256: string;
  resources: readonly unknown[];
}

export interface ReconcileInputs {
  bundle: BundleInput;
  cluster: ClusterState;
}

export interface ReconcilerStatus {
  appliedRevision: number | null;
  bundleSha256: string | null;
  lastApply: (ApplyResult & { at: string }) | null;
  lastError: { message: string; at: string } | null;
  applies: number;
  structure: { chains: number; rules: number; sets: number; elements: number } | null;
  warnings: readonly string[];
}

export interface ReconcilerOptions {
  applier: Applier;
  compiler: CompilerConfig;
  /** Current inputs, or null while they are not ready. */
  inputs: () => ReconcileInputs | null;
  minIntervalMs?: number;
  driftIntervalMs?: number;
  onApplied?: (r: ApplyResult, status: ReconcilerStatus) => void;
  onError?: (err: unknown) => void;
  /**
   * The domain sets of the compiled result with their client pods, before every apply (the DNS
   * side's `LearnedCache.setDomainSets`), so that answers to a new pod feed its sets as soon
   * as its rules are in place.
   */
  onDomainSets?: (sets: DomainSetSpec[]) => void;
}

interface Waiter {
  gen: number;
  resolve(): void;
  reject(err: unknown): void;
}

export class Reconciler {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private driftTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private lastRunAt = 0;
  private stopped = true;
  private compiled: { sha256: string; structure: Structure; computer: ElementsComputer } | null = null;
  private readonly minInterval: number;
  /** `applyNow()` requests: each waits for a run that started after it. */
  private requested = 0;
  private urgent = false;
  private waiters: Waiter[] = [];
  readonly status: ReconcilerStatus = { appliedRevision: null, bundleSha256: null, lastApply: null, lastError: null, applies: 0, structure: null, warnings: [] };

  constructor(private readonly opts: ReconcilerOptions) {
    this.minInterval = opts.minIntervalMs ?? 50;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const every = this.opts.driftIntervalMs ?? 30_000;
    this.driftTimer = setInterval(() => void this.driftCheck(), every);
    this.markDirty();
  }

  /** Stops the loop (the table stays in the kernel) after the run in progress, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.driftTimer) clearInterval(this.driftTimer);
    this.timer = undefined;
    this.driftTimer = undefined;
    await this.running;
    this.settleWaiters(Number.POSITIVE_INFINITY, new Error("reconciler stopped"));
    // Record the digest of what was applied last, so that the next run can adopt the table.
    if (this.opts.applier.needsDigest) await this.opts.applier.checkDrift().catch(() => undefined);
  }

  markDirty(): void {
    this.dirty = true;
    this.schedule();
  }

  /**
   * Marks the state dirty and resolves once a run that started after this call has applied
   * (at once when the inputs are not ready yet: the first apply will carry the state). Rejects
   * when that run failed. The run is not held back by `minIntervalMs` (learned DNS answers wait
   * on it before they are released to the pod).
   */
  applyNow(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error("reconciler stopped"));
    const gen = ++this.requested;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ gen, resolve, reject }));
    this.urgent = true;
    if (this.timer && !this.running) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.markDirty();
    return done;
  }

  private settleWaiters(upTo: number, err?: unknown): void {
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.gen > upTo) keep.push(w);
      else if (err === undefined) w.resolve();
      else w.reject(err);
    }
    this.waiters = keep;
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.running) return;
    const wait = this.urgent ? 0 : Math.max(0, this.lastRunAt + this.minInterval - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.run().finally(() => {
        this.running = null;
        if (this.dirty) this.schedule();
      });
    }, wait);
  }

  /** Resolves once no run is in progress and nothing is dirty (tests and benches). */
  async settled(): Promise<void> {
    while (this.running || this.timer || (this.dirty && !this.stopped)) {
      await (this.running ?? new Promise((r) => setTimeout(r, 5)));
    }
  }

  private async run(): Promise<void> {
    this.lastRunAt = Date.now();
    this.dirty = false;
    this.urgent = false;
    const gen = this.requested;
    const inputs = this.opts.inputs();
    if (!inputs) {
      this.settleWaiters(gen);
      return;
    }
    try {
      if (!this.compiled || this.compiled.sha256 !== inputs.bundle.sha256) {
        const parsed = parseBundleResources(inputs.bundle.resources);
        const structure = compileStructure(parsed.resources, this.opts.compiler);
        this.compiled = { sha256: inputs.bundle.sha256, structure, computer: new ElementsComputer(structure) };
        this.status.warnings = [...parsed.warnings, ...structure.warnings];
      }
      const { structure, computer } = this.compiled;
      const { elements, expiries, domainSets } = computer.computeAll(inputs.cluster);
      this.opts.onDomainSets?.(domainSets);
      const result = await this.opts.applier.apply(structure, elements, expiries);
      this.settleWaiters(gen);
      if (result.kind !== "noop") this.status.applies++;
      this.status.appliedRevision = inputs.bundle.revision;
      this.status.bundleSha256 = inputs.bundle.sha256;
      this.status.lastApply = { ...result, at: new Date().toISOString() };
      this.status.lastError = null;
      let elementCount = 0;
      for (const v of elements.values()) elementCount += v.length;
      this.status.structure = {
        chains: structure.chains.length,
        rules: structure.chains.reduce((n, c) => n + c.lines.filter((l) => !l.startsWith("type ")).length, 0),
        sets: structure.sets.length,
        elements: elementCount,
      };
      if (this.opts.applier.needsDigest) await this.opts.applier.checkDrift();
      this.opts.onApplied?.(result, this.status);
    } catch (err) {
      this.settleWaiters(gen, err);
      this.status.lastError = { message: err instanceof Error ? err.message : String(err), at: new Date().toISOString() };
      this.opts.onError?.(err);
      // Retry later with a full apply (the applier forces it after a failure).
      if (!this.stopped) setTimeout(() => this.markDirty(), Math.max(this.minInterval, 1000)).unref();
    }
  }

  /** Compares the kernel's table with the last apply; repairs drift with a full apply. */
  async driftCheck(): Promise<boolean> {
    if (this.stopped) return false;
    await this.running;
    try {
      const drift = await this.opts.applier.checkDrift();
      if (drift) this.markDirty();
      return drift;
    } catch (err) {
      this.opts.onError?.(err);
      return false;
    }
  }
}
