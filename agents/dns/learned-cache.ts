/**
 * The learned name → address cache behind DNS policy (issue #7, reference §5).
 *
 * The agent's reconcile loop tells the cache which domain sets exist (`setDomainSets`: an id,
 * the domain patterns of a rule or of a network set's `allowedEgressDomains`, and optionally
 * the pod IPs the set applies to). Every answer the DNS proxy sees is passed to `learn()`: the
 * answer feeds each set that has a pattern matching one of its names (the queried name or any
 * name of its CNAME chain) and, when the set lists client IPs, only if the asking pod is one
 * of them. Each fed (set id, ip) gets an expiry of `max(ttl, floorSeconds) + graceSeconds`
 * from now (never shortened by a later answer).
 *
 * Element updates are delivered to `onChange` in batches — at most one batch per `batchMs`,
 * one at a time — as upserts and removals; they never concern chains. `learn()` resolves once
 * every address it fed is in a delivered batch, so the proxy hook
 *
 *     onAnswer: (a) => cache.learn(a).then(() => {})
 *
 * holds the answer until the nft sets contain its addresses (bounded by the proxy's hook
 * timeout). `elements()` / `addresses()` give the full current state for a full apply.
 *
 * Bounds: at most `maxAddressesPerName` addresses per (set, name) and `maxEntries` entries in
 * all; over a cap the entries that expire soonest are evicted first (counted). Entries are
 * persisted (JSON, atomic rename) in `stateDir` and reloaded on start minus the expired ones.
 */
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { parseDomainPattern, type DomainPattern } from "../../server/policy/domain";
import { canonicalIp, type LearnedAnswer } from "./answer";

export interface DomainSetDef {
  id: string;
  /** Domain patterns (`api.stripe.com`, `*.s3.amazonaws.com`), validated with `parseDomainPattern`. */
  patterns: string[];
  /** Pod IPs whose answers feed this set; undefined = answers of every client. */
  clientIps?: string[];
}

export interface LearnedElement {
  ip: string;
  family: 4 | 6;
  /** Epoch milliseconds (per the cache's clock) after which the element must be gone. */
  expiresAt: number;
}

export interface ElementChange extends LearnedElement {
  setId: string;
}

export interface LearnedChanges {
  /** New elements and elements whose expiry moved (upserts). */
  added: ElementChange[];
  /** Elements gone (expired, evicted, set removed); only ones delivered as added before. */
  removed: ElementChange[];
}

export interface LearnedCacheOptions {
  /** Minimum TTL honoured, in seconds (default 2, Calico's floor). */
  floorSeconds?: number;
  /** Added to every TTL, in seconds (default 30). */
  graceSeconds?: number;
  /** Addresses kept per (set, name) (default 64). */
  maxAddressesPerName?: number;
  /** Entries kept in all, one per (set, ip) (default 200 000). */
  maxEntries?: number;
  /** Minimum interval between change batches (default 20 ms). */
  batchMs?: number;
  /** Expired entries are swept this often (default 1000 ms; 0 = only when `sweep()` is called). */
  sweepIntervalMs?: number;
  /** Directory of the persisted state; no persistence when unset. */
  stateDir?: string;
  /** Periodic save while there are unsaved changes (default 10 000 ms; 0 = only on `save()`/`close()`). */
  saveIntervalMs?: number;
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number;
  /** Receives batched element changes; a rejection makes the batch be retried with backoff. */
  onChange?: (changes: LearnedChanges) => void | Promise<void>;
}

export interface LearnedCacheStats {
  entries: number;
  /** Answers passed to `learn()` and how many fed at least one set. */
  answers: number;
  answersMatched: number;
  added: number;
  refreshed: number;
  expired: number;
  evictedPerName: number;
  evictedTotal: number;
  /** Entries dropped because their set went away or no longer matches their name. */
  removedBySets: number;
  changeBatches: number;
  changeErrors: number;
  saves: number;
  saveErrors: number;
  loaded: number;
  loadDroppedExpired: number;
}

export const LEARNED_STATE_FILE = "dns-learned.json";
/**
 * A refreshed entry this close to (or past) its expiry may be gone from the kernel before the
 * refresh lands, so its answer waits for the batch like a new entry's.
 */
const REFRESH_WAIT_MARGIN_MS = 1000;
const MATCH_MEMO_SIZE = 10_000;

// ------------------------------------------------------------------ matching

interface CompiledSet {
  id: string;
  patterns: DomainPattern[];
  clientIps: Set<string> | undefined;
}

export interface CompiledDomainSets {
  readonly byId: ReadonlyMap<string, CompiledSet>;
  /** Exact patterns: name → sets listing it. */
  readonly exact: ReadonlyMap<string, readonly CompiledSet[]>;
  readonly wildcards: ReadonlyArray<{ pattern: DomainPattern; set: CompiledSet }>;
  /** Patterns that failed validation (they match nothing). */
  readonly invalid: ReadonlyArray<{ id: string; pattern: string; message: string }>;
}

export function compileDomainSets(defs: readonly DomainSetDef[]): CompiledDomainSets {
  const byId = new Map<string, CompiledSet>();
  const exact = new Map<string, CompiledSet[]>();
  const wildcards: Array<{ pattern: DomainPattern; set: CompiledSet }> = [];
  const invalid: Array<{ id: string; pattern: string; message: string }> = [];
  for (const def of defs) {
    const set: CompiledSet = { id: def.id, patterns: [], clientIps: def.clientIps ? new Set(def.clientIps.map(canonicalIp)) : undefined };
    byId.set(def.id, set);
    for (const text of def.patterns) {
      let pattern: DomainPattern;
      try {
        pattern = parseDomainPattern(text);
      } catch (err) {
        invalid.push({ id: def.id, pattern: text, message: (err as Error).message });
        continue;
      }
      set.patterns.push(pattern);
      if (pattern.wildcard) wildcards.push({ pattern, set });
      else {
        const list = exact.get(pattern.text) ?? [];
        if (!list.includes(set)) list.push(set);
        exact.set(pattern.text, list);
      }
    }
  }
  return { byId, exact, wildcards, invalid };
}

/**
 * Which sets an answer feeds: set id → the first name (in chain order) that matched one of
 * its patterns. `names` must be normalised (as in `LearnedAnswer`). When `clientIp` is given,
 * sets restricted to other clients are skipped.
 */
export function matchDomainSetNames(names: readonly string[], sets: CompiledDomainSets, clientIp?: string): Map<string, string> {
  const out = new Map<string, string>();
  const client = clientIp === undefined ? undefined : canonicalIp(clientIp);
  const allowed = (s: CompiledSet) => client === undefined || s.clientIps === undefined || s.clientIps.has(client);
  for (const name of names) {
    for (const s of sets.exact.get(name) ?? []) if (!out.has(s.id) && allowed(s)) out.set(s.id, name);
    for (const w of sets.wildcards) if (!out.has(w.set.id) && allowed(w.set) && w.pattern.matches(name)) out.set(w.set.id, name);
  }
  return out;
}

/** The ids of the sets an answer with these names (from `clientIp`, if given) feeds. */
export function matchDomainSets(names: readonly string[], sets: CompiledDomainSets, clientIp?: string): string[] {
  return [...matchDomainSetNames(names, sets, clientIp).keys()];
}

// ------------------------------------------------------------------ the cache

interface Entry {
  key: string;
  setId: string;
  ip: string;
  family: 4 | 6;
  expiresAt: number;
  /** The name that fed it last (for the per-name cap and re-validation when sets change). */
  name: string;
  version: number;
}

interface HeapNode {
  expiresAt: number;
  entry: Entry;
  version: number;
}

/** Min-heap on expiresAt with lazy invalidation (stale nodes have an old version). */
class ExpiryHeap {
  nodes: HeapNode[] = [];
  push(n: HeapNode): void {
    const a = this.nodes;
    a.push(n);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.expiresAt <= n.expiresAt) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = n;
  }
  peek(): HeapNode | undefined {
    return this.nodes[0];
  }
  pop(): HeapNode | undefined {
    const a = this.nodes;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && a[r]!.expiresAt < a[l]!.expiresAt ? r : l;
      if (a[c]!.expiresAt >= last.expiresAt) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Waiting is optional: a failed batch must not become an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** A key's state at the last delivered batch, recorded when it is first touched in a batch. */
interface Dirty {
  existedBefore: boolean;
  change: ElementChange;
}

interface PersistedState {
  version: 1;
  savedAt: number;
  /** [setId, ip, family, expiresAt, name] */
  entries: Array<[string, string, 4 | 6, number, string]>;
}

export class LearnedCache {
  private readonly floorMs: number;
  private readonly graceMs: number;
  private readonly maxPerName: number;
  private readonly maxEntries: number;
  private readonly batchMs: number;
  private readonly now: () => number;
  private sets: CompiledDomainSets = compileDomainSets([]);
  /** Match results per (client, names), valid until the sets change; bounded. */
  private matchMemo = new Map<string, Map<string, string>>();
  private setsDefined = false;
  private readonly entries = new Map<string, Entry>();
  /** (setId, name) → keys of its entries. */
  private readonly byName = new Map<string, Set<string>>();
  private readonly heap = new ExpiryHeap();
  private dirty = new Map<string, Dirty>();
  private pending: Deferred | undefined;
  private inflight: { newKeys: ReadonlySet<string>; done: Deferred } | undefined;
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private failures = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private unsaved = false;
  private closed = false;
  private readonly counters: Omit<LearnedCacheStats, "entries"> = {
    answers: 0,
    answersMatched: 0,
    added: 0,
    refreshed: 0,
    expired: 0,
    evictedPerName: 0,
    evictedTotal: 0,
    removedBySets: 0,
    changeBatches: 0,
    changeErrors: 0,
    saves: 0,
    saveErrors: 0,
    loaded: 0,
    loadDroppedExpired: 0,
  };

  constructor(private readonly opts: LearnedCacheOptions = {}) {
    this.floorMs = (opts.floorSeconds ?? 2) * 1000;
    this.graceMs = (opts.graceSeconds ?? 30) * 1000;
    this.maxPerName = Math.max(1, opts.maxAddressesPerName ?? 64);
    this.maxEntries = Math.max(1, opts.maxEntries ?? 200_000);
    this.batchMs = opts.batchMs ?? 20;
    this.now = opts.now ?? Date.now;
    const sweepMs = opts.sweepIntervalMs ?? 1000;
    if (sweepMs > 0) this.timers.push(setInterval(() => this.sweep(), sweepMs).unref());
    const saveMs = opts.saveIntervalMs ?? 10_000;
    if (opts.stateDir && saveMs > 0) {
      this.timers.push(
        setInterval(() => {
          if (this.unsaved) this.save().catch(() => {});
        }, saveMs).unref(),
      );
    }
  }

  /**
   * Replaces the domain-set definitions. Entries of sets that no longer exist, or whose name
   * no longer matches their set's patterns, are removed. Returns the invalid patterns (they
   * match nothing).
   */
  setDomainSets(defs: readonly DomainSetDef[]): CompiledDomainSets["invalid"] {
    this.sets = compileDomainSets(defs);
    this.matchMemo = new Map();
    this.setsDefined = true;
    for (const e of [...this.entries.values()]) {
      const set = this.sets.byId.get(e.setId);
      if (!set || !set.patterns.some((p) => p.matches(e.name))) {
        this.remove(e);
        this.counters.removedBySets++;
      }
    }
    return this.sets.invalid;
  }

  /** Which set ids an answer with these names (from `clientIp`, if given) would feed. */
  match(names: readonly string[], clientIp?: string): string[] {
    return matchDomainSets(names, this.sets, clientIp);
  }

  /**
   * Records an answer. Resolves with the ids of the sets it fed once all its addresses have
   * been delivered to `onChange` (at once when there is nothing new to deliver); rejects when
   * the batch carrying them failed.
   */
  learn(answer: LearnedAnswer): Promise<string[]> {
    this.counters.answers++;
    const memoKey = `${answer.clientIp} ${answer.names.join(" ")}`;
    let matched = this.matchMemo.get(memoKey);
    if (!matched) {
      matched = matchDomainSetNames(answer.names, this.sets, answer.clientIp);
      if (this.matchMemo.size >= MATCH_MEMO_SIZE) this.matchMemo.clear();
      this.matchMemo.set(memoKey, matched);
    }
    if (matched.size === 0 || answer.addresses.length === 0) return Promise.resolve([]);
    this.counters.answersMatched++;
    const now = this.now();
    const waits = new Set<Promise<void>>();
    const touched = new Set<string>();
    for (const [setId, name] of matched) {
      for (const a of answer.addresses) {
        const expiresAt = now + Math.max(a.ttl * 1000, this.floorMs) + this.graceMs;
        const key = `${setId}\n${a.ip}`;
        touched.add(key);
        let e = this.entries.get(key);
        if (e) {
          if (e.name !== name) this.rename(e, name);
          if (expiresAt > e.expiresAt) {
            this.touch(e);
            e.expiresAt = expiresAt;
            e.version++;
            this.heap.push({ expiresAt, entry: e, version: e.version });
            this.counters.refreshed++;
          }
        } else {
          e = { key, setId, ip: a.ip, family: a.family, expiresAt, name, version: 0 };
          this.insert(e);
          this.counters.added++;
        }
        const w = this.waitFor(key, now);
        if (w) waits.add(w);
      }
      this.enforceNameCap(setId, name, touched);
    }
    this.enforceTotalCap();
    const ids = [...matched.keys()];
    if (waits.size === 0 || !this.opts.onChange) return Promise.resolve(ids);
    return Promise.all(waits).then(() => ids);
  }

  /** Removes entries whose expiry has passed; returns how many. */
  sweep(): number {
    const now = this.now();
    let n = 0;
    for (let top = this.heap.peek(); top && top.expiresAt <= now; top = this.heap.peek()) {
      this.heap.pop();
      const e = top.entry;
      if (top.version !== e.version || this.entries.get(e.key) !== e) continue;
      this.remove(e);
      this.counters.expired++;
      n++;
    }
    this.compactHeap();
    return n;
  }

  /** Current elements per set id (entries past their expiry are left out). */
  elements(): Map<string, LearnedElement[]> {
    const now = this.now();
    const out = new Map<string, LearnedElement[]>();
    for (const e of this.entries.values()) {
      if (e.expiresAt <= now) continue;
      let list = out.get(e.setId);
      if (!list) out.set(e.setId, (list = []));
      list.push({ ip: e.ip, family: e.family, expiresAt: e.expiresAt });
    }
    return out;
  }

  /** Live entries with the name that fed them, latest expiry (most recently learned) first, at most `limit` (for status). */
  list(limit = Number.POSITIVE_INFINITY): Array<ElementChange & { name: string }> {
    const now = this.now();
    const out: Array<ElementChange & { name: string }> = [];
    for (const e of this.entries.values()) if (e.expiresAt > now) out.push({ setId: e.setId, name: e.name, ip: e.ip, family: e.family, expiresAt: e.expiresAt });
    out.sort((a, b) => b.expiresAt - a.expiresAt || (a.setId < b.setId ? -1 : a.setId > b.setId ? 1 : 0));
    return out.length > limit ? out.slice(0, limit) : out;
  }

  /** The same as `elements()` in the shape of the compiler's `ClusterState.dns` (set id → IPs). */
  addresses(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [id, els] of this.elements()) out.set(id, els.map((e) => e.ip));
    return out;
  }

  stats(): LearnedCacheStats {
    return { entries: this.entries.size, ...this.counters };
  }

  /** Delivers the pending batch now (waiting for one in progress first). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.dirty.size === 0) return;
    this.flushing = this.deliver();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  /** Loads the persisted state (if any), dropping expired and malformed entries. Returns how many were loaded. */
  async load(): Promise<number> {
    if (!this.opts.stateDir) return 0;
    let text: string;
    try {
      text = await readFile(path.join(this.opts.stateDir, LEARNED_STATE_FILE), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw err;
    }
    let state: PersistedState;
    try {
      state = JSON.parse(text) as PersistedState;
    } catch {
      return 0;
    }
    if (state?.version !== 1 || !Array.isArray(state.entries)) return 0;
    const now = this.now();
    let n = 0;
    for (const row of state.entries) {
      if (!Array.isArray(row) || row.length !== 5) continue;
      const [setId, ip, family, expiresAt, name] = row;
      if (typeof setId !== "string" || typeof ip !== "string" || (family !== 4 && family !== 6) || typeof expiresAt !== "number" || typeof name !== "string") continue;
      if (expiresAt <= now) {
        this.counters.loadDroppedExpired++;
        continue;
      }
      if (this.setsDefined && !this.sets.byId.get(setId)?.patterns.some((p) => p.matches(name))) continue;
      const key = `${setId}\n${ip}`;
      const prev = this.entries.get(key);
      if (prev) {
        if (prev.expiresAt >= expiresAt) continue;
        this.remove(prev);
      }
      this.insert({ key, setId, ip, family, expiresAt, name, version: 0 });
      this.enforceNameCap(setId, name, new Set());
      n++;
    }
    this.enforceTotalCap();
    this.counters.loaded += n;
    return n;
  }

  /** Writes the state atomically (temporary file, fsync, rename). */
  async save(): Promise<void> {
    const dir = this.opts.stateDir;
    if (!dir) return;
    this.unsaved = false;
    const now = this.now();
    const state: PersistedState = { version: 1, savedAt: now, entries: [] };
    for (const e of this.entries.values()) if (e.expiresAt > now) state.entries.push([e.setId, e.ip, e.family, e.expiresAt, e.name]);
    const file = path.join(dir, LEARNED_STATE_FILE);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await mkdir(dir, { recursive: true });
      const fh = await open(tmp, "w", 0o600);
      try {
        await fh.writeFile(JSON.stringify(state));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
      this.counters.saves++;
    } catch (err) {
      this.unsaved = true;
      this.counters.saveErrors++;
      await unlink(tmp).catch(() => {});
      throw err;
    }
  }

  /** Stops the timers, delivers the pending batch (best effort) and saves. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.flush().catch(() => {});
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.opts.stateDir) await this.save();
  }

  // ---------------------------------------------------------------- internals

  private insert(e: Entry): void {
    this.touch(e, false);
    this.entries.set(e.key, e);
    const nk = `${e.setId}\n${e.name}`;
    let keys = this.byName.get(nk);
    if (!keys) this.byName.set(nk, (keys = new Set()));
    keys.add(e.key);
    this.heap.push({ expiresAt: e.expiresAt, entry: e, version: e.version });
  }

  private remove(e: Entry): void {
    this.touch(e);
    this.entries.delete(e.key);
    e.version++;
    const nk = `${e.setId}\n${e.name}`;
    const keys = this.byName.get(nk);
    keys?.delete(e.key);
    if (keys?.size === 0) this.byName.delete(nk);
  }

  private rename(e: Entry, name: string): void {
    const old = `${e.setId}\n${e.name}`;
    const keys = this.byName.get(old);
    keys?.delete(e.key);
    if (keys?.size === 0) this.byName.delete(old);
    e.name = name;
    const nk = `${e.setId}\n${name}`;
    let next = this.byName.get(nk);
    if (!next) this.byName.set(nk, (next = new Set()));
    next.add(e.key);
  }

  /** Marks an entry changed in the pending batch, remembering its state at the last batch. */
  private touch(e: Entry, exists = true): void {
    this.unsaved = true;
    if (!this.dirty.has(e.key)) {
      this.dirty.set(e.key, { existedBefore: exists, change: { setId: e.setId, ip: e.ip, family: e.family, expiresAt: e.expiresAt } });
    }
    this.pending ??= deferred();
    this.scheduleFlush();
  }

  /**
   * The delivery to wait for before `key` is known to the consumer: none when it was already
   * delivered and stays valid for a while (a refresh of such an element needs no wait, the
   * element is in place); an element delivered with an expiry that has passed or is about to
   * may be gone from the kernel, so its refresh is waited for like a new element.
   */
  private waitFor(key: string, now: number): Promise<void> | undefined {
    const d = this.dirty.get(key);
    if (d) return d.existedBefore && d.change.expiresAt > now + REFRESH_WAIT_MARGIN_MS ? undefined : (this.pending ??= deferred()).promise;
    if (this.inflight?.newKeys.has(key)) return this.inflight.done.promise;
    return undefined;
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.closed) return;
    const backoff = this.failures > 0 ? Math.min(1000, this.batchMs * 2 ** this.failures) : 0;
    const wait = Math.max(0, this.lastFlushAt + this.batchMs - performance.now(), backoff);
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush().catch(() => {});
    }, wait);
  }

  private async deliver(): Promise<void> {
    const batch = this.dirty;
    const done = this.pending ?? deferred();
    this.dirty = new Map();
    this.pending = undefined;
    this.lastFlushAt = performance.now();
    const changes: LearnedChanges = { added: [], removed: [] };
    for (const [key, d] of batch) {
      const e = this.entries.get(key);
      if (e) changes.added.push({ setId: e.setId, ip: e.ip, family: e.family, expiresAt: e.expiresAt });
      else if (d.existedBefore) changes.removed.push(d.change);
    }
    this.inflight = { newKeys: new Set([...batch].filter(([, d]) => !d.existedBefore).map(([k]) => k)), done };
    try {
      if (this.opts.onChange && (changes.added.length > 0 || changes.removed.length > 0)) await this.opts.onChange(changes);
      this.counters.changeBatches++;
      this.failures = 0;
      done.resolve();
    } catch (err) {
      this.counters.changeErrors++;
      this.failures++;
      // Not delivered: the keys go back into the next batch with their older "before" state.
      for (const [key, d] of batch) this.dirty.set(key, d);
      done.reject(err);
      if (this.dirty.size > 0) {
        this.pending ??= deferred();
        this.scheduleFlush();
      }
    } finally {
      this.inflight = undefined;
    }
    if (this.dirty.size > 0) this.scheduleFlush();
  }

  private enforceNameCap(setId: string, name: string, protect: ReadonlySet<string>): void {
    const keys = this.byName.get(`${setId}\n${name}`);
    while (keys && keys.size > this.maxPerName) {
      let victim: Entry | undefined;
      let fallback: Entry | undefined;
      for (const k of keys) {
        const e = this.entries.get(k)!;
        if (!fallback || e.expiresAt < fallback.expiresAt) fallback = e;
        if (!protect.has(k) && (!victim || e.expiresAt < victim.expiresAt)) victim = e;
      }
      this.remove((victim ?? fallback)!);
      this.counters.evictedPerName++;
    }
  }

  private enforceTotalCap(): void {
    while (this.entries.size > this.maxEntries) {
      const top = this.heap.pop();
      if (!top) break;
      const e = top.entry;
      if (top.version !== e.version || this.entries.get(e.key) !== e) continue;
      this.remove(e);
      this.counters.evictedTotal++;
    }
    this.compactHeap();
  }

  /** Rebuilds the heap when stale nodes dominate it. */
  private compactHeap(): void {
    if (this.heap.nodes.length <= 2 * this.entries.size + 1024) return;
    const nodes = [...this.entries.values()].map((e) => ({ expiresAt: e.expiresAt, entry: e, version: e.version }));
    nodes.sort((a, b) => a.expiresAt - b.expiresAt);
    this.heap.nodes = nodes;
  }
}
