/**
 * In-memory inverted index over endpoint labels, answering "which endpoints
 * does this selector match?" without scanning everything when it can.
 *
 * The selector's label restrictions (upstream `LabelRestrictions()`) are sound
 * lower bounds: every matching label set satisfies them. For each restricted
 * key the index knows how many endpoints could qualify (key -> value -> ids for
 * `==`/`in`, key -> ids for `has`/`contains`/...); it takes the smallest of
 * those candidate sets and verifies each candidate with `matches`. Results are
 * therefore always exactly the full-scan answer. With no usable restriction
 * (e.g. `!=`, `not in`, `||` across different keys) it scans.
 *
 * Results come back in the order endpoints were first inserted (an update
 * keeps an endpoint's position), the same order a scan would produce.
 */
import type { Labels, Selector } from "./selector/index";

export interface IndexedEndpoint {
  id: string;
  /** Full label set, inherited/implicit labels included (projectcalico.org/namespace, pcns.*, pcsa.*, ...). */
  labels: Labels;
}

interface Entry {
  readonly id: string;
  readonly labels: Labels;
  readonly seq: number;
}

export interface QueryPlan {
  strategy: "index" | "scan";
  /** Number of endpoints whose labels `matches` will check. */
  candidates: number;
  /** For "index": the label key whose postings were used. */
  key?: string;
}

export class SelectorIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly byKeyValue = new Map<string, Map<string, Set<Entry>>>();
  private readonly byKey = new Map<string, Set<Entry>>();
  private nextSeq = 0;

  constructor(endpoints?: Iterable<IndexedEndpoint>) {
    if (endpoints) for (const ep of endpoints) this.upsert(ep);
  }

  get size(): number {
    return this.entries.size;
  }

  upsert(ep: IndexedEndpoint): void {
    const old = this.entries.get(ep.id);
    if (old) this.unindex(old);
    const labels: Record<string, string> = {};
    for (const k of Object.keys(ep.labels)) {
      const v = ep.labels[k];
      if (typeof v !== "string") continue;
      // Plain assignment would invoke the __proto__ setter instead of creating a label.
      if (k === "__proto__")
        Object.defineProperty(labels, k, { value: v, enumerable: true, writable: true, configurable: true });
      else labels[k] = v;
    }
    const entry: Entry = { id: ep.id, labels, seq: old ? old.seq : this.nextSeq++ };
    this.entries.set(ep.id, entry);
    for (const k of Object.keys(labels)) {
      const v = labels[k]!;
      let values = this.byKeyValue.get(k);
      if (!values) this.byKeyValue.set(k, (values = new Map()));
      let ids = values.get(v);
      if (!ids) values.set(v, (ids = new Set()));
      ids.add(entry);
      let all = this.byKey.get(k);
      if (!all) this.byKey.set(k, (all = new Set()));
      all.add(entry);
    }
  }

  remove(id: string): void {
    const old = this.entries.get(id);
    if (!old) return;
    this.unindex(old);
    this.entries.delete(id);
  }

  /** Labels stored for an endpoint (a copy of what was upserted). */
  labelsOf(id: string): Labels | undefined {
    return this.entries.get(id)?.labels;
  }

  private unindex(entry: Entry): void {
    for (const k of Object.keys(entry.labels)) {
      const v = entry.labels[k]!;
      const values = this.byKeyValue.get(k);
      const ids = values?.get(v);
      if (ids) {
        ids.delete(entry);
        if (ids.size === 0) values!.delete(v);
        if (values!.size === 0) this.byKeyValue.delete(k);
      }
      const all = this.byKey.get(k);
      if (all) {
        all.delete(entry);
        if (all.size === 0) this.byKey.delete(k);
      }
    }
  }

  /** Picks the candidate source: posting lists for the most selective restricted key, or null for a scan. */
  private plan(sel: Selector): { key: string; lists: Set<Entry>[]; count: number } | { empty: true } | null {
    const lr = sel.labelRestrictions();
    if (!lr) return null;
    let best: { key: string; lists: Set<Entry>[]; count: number } | null = null;
    for (const [key, r] of lr) {
      if (r.mustBePresent && r.mustBeAbsent) return { empty: true };
      if (!r.mustBePresent) continue;
      let lists: Set<Entry>[];
      let count = 0;
      if (r.mustHaveOneOfValues !== null) {
        if (r.mustHaveOneOfValues.length === 0) return { empty: true };
        const values = this.byKeyValue.get(key);
        lists = [];
        for (const v of new Set(r.mustHaveOneOfValues)) {
          const ids = values?.get(v);
          if (ids) {
            lists.push(ids);
            count += ids.size;
          }
        }
      } else {
        const all = this.byKey.get(key);
        lists = all ? [all] : [];
        count = all ? all.size : 0;
      }
      if (!best || count < best.count) best = { key, lists, count };
      if (count === 0) break;
    }
    return best;
  }

  explain(sel: Selector): QueryPlan {
    const p = this.plan(sel);
    if (p === null) return { strategy: "scan", candidates: this.entries.size };
    if ("empty" in p) return { strategy: "index", candidates: 0 };
    return { strategy: "index", candidates: p.count, key: p.key };
  }

  /** Ids of the endpoints the selector matches (exactly those for which `sel.matches(labels)` is true). */
  query(sel: Selector): string[] {
    const p = this.plan(sel);
    const out: string[] = [];
    if (p === null) {
      for (const e of this.entries.values()) if (sel.matches(e.labels)) out.push(e.id);
      return out;
    }
    if ("empty" in p) return out;
    const hits: Entry[] = [];
    for (const list of p.lists) for (const e of list) if (sel.matches(e.labels)) hits.push(e);
    if (p.lists.length > 1 || !isSorted(hits)) hits.sort((a, b) => a.seq - b.seq);
    for (const e of hits) out.push(e.id);
    return out;
  }

  count(sel: Selector): number {
    const p = this.plan(sel);
    let n = 0;
    if (p === null) {
      for (const e of this.entries.values()) if (sel.matches(e.labels)) n++;
      return n;
    }
    if ("empty" in p) return 0;
    for (const list of p.lists) for (const e of list) if (sel.matches(e.labels)) n++;
    return n;
  }

  /** Reference implementation: a full scan. */
  scan(sel: Selector): string[] {
    const out: string[] = [];
    for (const e of this.entries.values()) if (sel.matches(e.labels)) out.push(e.id);
    return out;
  }
}

function isSorted(entries: Entry[]): boolean {
  for (let i = 1; i < entries.length; i++) if (entries[i - 1]!.seq > entries[i]!.seq) return false;
  return true;
}
