/**
 * The applier: puts a compiled result into the kernel.
 *
 * - Full apply: one `nft -f` file that creates, deletes and redefines `table inet portcullis`
 *   (one transaction: a failing file leaves the previous table in force).
 * - Element apply: when only set/map contents changed, one `nft -f` file of element
 *   add/delete operations.
 * - A failed apply keeps the previous rules, is reported, and makes the next apply a full one.
 * - First apply after start (adoption): when the table in the kernel is exactly what the last
 *   run left (digest persisted in the state file) and what this run compiled, it is kept as is
 *   (no flush, counters kept); otherwise it is replaced atomically.
 * - Drift check: reads the table back and compares its digest (handles and counter values
 *   ignored) with the one taken after the last apply; any difference forces a full apply.
 * - Timeout sets (learned DNS addresses): their elements carry the learned expiry as an nft
 *   timeout, so the kernel drops them on time by itself. They are diffed separately (a moved
 *   expiry is a refresh), are not part of the adoption and drift digests (the kernel changes
 *   them), and are re-written (flush + add, one transaction) when a table is adopted.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  elementsHash,
  renderElementDiff,
  renderFull,
  renderTimeoutDiff,
  renderTimeoutResync,
  timeoutState,
  timeoutStateHash,
  type Elements,
  type Expiries,
  type Structure,
  type TimeoutState,
} from "../compiler/compile";
import type { NftRunner } from "./nft";
import { readTable } from "./readback";

export type ApplyKind = "full" | "elements" | "noop" | "adopted";

export interface ApplyResult {
  kind: ApplyKind;
  /** Why a full apply was chosen. */
  reason?: string;
}

interface Applied {
  structure: Structure;
  elements: Elements;
  /** Hash of the elements of the sets without timeouts. */
  elementsHash: string;
  timed: TimeoutState;
  timedHash: string;
}

interface PersistedState {
  structureHash: string;
  elementsHash: string;
  digest: string;
}

export interface ApplierOptions {
  runner: NftRunner;
  /** File where the digest of the last applied table is kept across restarts. */
  stateFile?: string | undefined;
  /** Clock for element timeouts, epoch ms (default `Date.now`). */
  now?: () => number;
}

function withoutTimeoutSets(structure: Structure, elements: Elements): Elements {
  const timed = new Set(structure.sets.filter((s) => s.timeout).map((s) => s.name));
  if (timed.size === 0) return elements;
  return new Map([...elements].filter(([name]) => !timed.has(name)));
}

export class Applier {
  private applied: Applied | null = null;
  private forceFull = false;
  private forceReason = "";
  private digest: string | null = null;
  private digestStale = false;
  readonly runner: NftRunner;
  /** Counts of apply kinds since start, for status and metrics. */
  readonly stats = { full: 0, elements: 0, noop: 0, adopted: 0, failed: 0, driftRepairs: 0 };

  constructor(private readonly opts: ApplierOptions) {
    this.runner = opts.runner;
  }

  get current(): Applied | null {
    return this.applied;
  }

  /**
   * Applies a compiled result. `expiries` give the timeout sets' elements their expiry (epoch
   * ms); elements already expired are left out.
   */
  async apply(structure: Structure, elements: Elements, expiries?: Expiries): Promise<ApplyResult> {
    const now = (this.opts.now ?? Date.now)();
    const eh = elementsHash(withoutTimeoutSets(structure, elements));
    const timed = timeoutState(structure, elements, expiries, now);
    const th = timeoutStateHash(timed);
    const next: Applied = { structure, elements, elementsHash: eh, timed, timedHash: th };
    try {
      if (this.applied === null) return await this.adoptOrReplace(next, now);
      if (this.forceFull) return await this.full(next, now, this.forceReason || "previous apply failed");
      if (this.applied.structure.hash !== structure.hash) return await this.full(next, now, "structure changed");
      if (this.applied.elementsHash === eh && this.applied.timedHash === th) {
        this.stats.noop++;
        return { kind: "noop" };
      }
      const diff = renderElementDiff(structure, this.applied.elements, elements) + renderTimeoutDiff(structure, this.applied.timed, timed, now);
      if (diff) await this.runner.run(["-f", "-"], diff);
      this.applied = next;
      this.digestStale = true;
      this.stats.elements++;
      return { kind: "elements" };
    } catch (err) {
      this.stats.failed++;
      this.forceFull = true;
      this.forceReason = "previous apply failed";
      throw err;
    }
  }

  private async adoptOrReplace(next: Applied, now: number): Promise<ApplyResult> {
    const { structure, elementsHash: eh } = next;
    const persisted = this.readState();
    const table = await readTable(this.runner);
    if (table.exists && persisted && persisted.digest === table.digest && persisted.structureHash === structure.hash && persisted.elementsHash === eh) {
      // Rules and static sets are kept as they are; learned addresses are re-applied.
      const resync = renderTimeoutResync(structure, next.timed, now);
      if (resync) await this.runner.run(["-f", "-"], resync);
      this.applied = next;
      this.digest = table.digest;
      this.digestStale = false;
      this.stats.adopted++;
      return { kind: "adopted" };
    }
    const reason = !table.exists ? "no table in the kernel" : !persisted ? "no record of the table in the kernel" : persisted.digest !== table.digest ? "table in the kernel was changed" : "compiled result differs from the table in the kernel";
    return this.full(next, now, reason);
  }

  private async full(next: Applied, now: number, reason: string): Promise<ApplyResult> {
    await this.runner.run(["-f", "-"], renderFull(next.structure, next.elements, { state: next.timed, now }));
    this.applied = next;
    this.forceFull = false;
    this.forceReason = "";
    this.digestStale = true;
    this.stats.full++;
    return { kind: "full", reason };
  }

  /** Forces the next apply to be a full replacement. */
  invalidate(reason: string): void {
    this.forceFull = true;
    this.forceReason = reason;
  }

  /**
   * Takes the digest of the table after an apply (when stale) and persists it; otherwise compares
   * the kernel's table with it. Returns true when drift was found (the next apply is then full).
   */
  async checkDrift(): Promise<boolean> {
    if (!this.applied) return false;
    const table = await readTable(this.runner);
    if (this.digestStale || this.digest === null) {
      this.digest = table.digest;
      this.digestStale = false;
      if (table.digest) this.writeState({ structureHash: this.applied.structure.hash, elementsHash: this.applied.elementsHash, digest: table.digest });
      return false;
    }
    if (table.digest === this.digest) return false;
    this.stats.driftRepairs++;
    this.invalidate(table.exists ? "table changed behind the agent's back" : "table was deleted behind the agent's back");
    return true;
  }

  /** Whether the next drift check will only record a fresh digest. */
  get needsDigest(): boolean {
    return this.applied !== null && (this.digestStale || this.digest === null);
  }

  private readState(): PersistedState | null {
    if (!this.opts.stateFile) return null;
    try {
      const s = JSON.parse(readFileSync(this.opts.stateFile, "utf8")) as Partial<PersistedState>;
      if (typeof s.digest === "string" && typeof s.structureHash === "string" && typeof s.elementsHash === "string") return s as PersistedState;
    } catch {
      // missing or unreadable: treat as unknown
    }
    return null;
  }

  private writeState(s: PersistedState): void {
    if (!this.opts.stateFile) return;
    mkdirSync(path.dirname(this.opts.stateFile), { recursive: true });
    const tmp = `${this.opts.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(s));
    renameSync(tmp, this.opts.stateFile);
  }
}
