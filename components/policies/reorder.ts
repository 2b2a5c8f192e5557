/**
 * Drag to reorder within a tier: the new `order` values that put a moved policy where it was
 * dropped, changing as few policies as possible.
 *
 * Calico evaluates a tier's policies by order (lower first, no order last), ties broken by name.
 * The moved policy gets a value strictly between its new neighbours' orders (the integer midway
 * when there is one, else the exact midpoint); when the neighbours have equal orders, or no
 * order, the smallest run of policies around it that can be given strictly increasing values
 * between the orders just outside the run is renumbered. Policies already holding the value
 * they would get are left alone.
 */
export interface Orderable {
  id: string;
  order: number | null;
}

/**
 * Policies just outside the list, which the plan never changes: `undefined` when the list starts
 * (ends) the tier, `null` for a policy without an order, else its order.
 */
export interface Walls {
  before?: number | null;
  after?: number | null;
}

export type ReorderPlan = { ok: true; changes: Array<{ id: string; order: number }> } | { ok: false; reason: string };

const STEP = 10;

export function arrayMove<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item!);
  return out;
}

/** Values for `k` policies strictly between `lo` and `hi` (±Infinity when open), or null when they do not fit. */
function spread(lo: number, hi: number, k: number): number[] | null {
  const range = (start: number, step: number) => Array.from({ length: k }, (_, i) => start + step * i);
  if (lo === Number.POSITIVE_INFINITY) return null; // after a policy without an order: only "no order" follows
  if (lo === Number.NEGATIVE_INFINITY && hi === Number.POSITIVE_INFINITY) return range(STEP, STEP);
  if (hi === Number.POSITIVE_INFINITY) return range(Math.floor(lo) + STEP, STEP);
  if (lo === Number.NEGATIVE_INFINITY) {
    if (hi - STEP * k >= 0) return range(Math.ceil(hi) - STEP * k, STEP);
    if (hi > 0) lo = 0; // keep orders non-negative while there is room above 0
    else return range(Math.ceil(hi) - STEP * k, STEP);
  }
  if (!(hi > lo)) return null;
  const first = Math.floor(lo) + 1;
  const last = Math.ceil(hi) - 1;
  const available = last - first + 1;
  if (available >= k) return Array.from({ length: k }, (_, i) => first - 1 + Math.floor(((i + 1) * (available + 1)) / (k + 1)));
  if (k === 1) {
    const mid = lo + (hi - lo) / 2;
    return mid > lo && mid < hi ? [mid] : null;
  }
  return null;
}

/**
 * Plans moving `items[from]` to index `to` (`items`: one tier's policies in evaluation order).
 * Returns the policies whose order changes, or why it cannot be done within the list.
 */
export function planReorder(items: readonly Orderable[], from: number, to: number, walls: Walls = {}): ReorderPlan {
  if (from === to) return { ok: true, changes: [] };
  const next = arrayMove(items, from, to);
  const n = next.length;
  const value = (i: number): number => {
    if (i < 0) return walls.before === undefined ? Number.NEGATIVE_INFINITY : (walls.before ?? Number.POSITIVE_INFINITY);
    if (i >= n) return walls.after ?? Number.POSITIVE_INFINITY;
    return next[i]!.order ?? Number.POSITIVE_INFINITY;
  };
  for (let size = 1; size <= n; size++) {
    for (let a = Math.max(0, to - size + 1); a <= Math.min(to, n - size); a++) {
      const values = spread(value(a - 1), value(a + size), size);
      if (!values) continue;
      const changes: Array<{ id: string; order: number }> = [];
      values.forEach((order, i) => {
        const it = next[a + i]!;
        if (it.order !== order) changes.push({ id: it.id, order });
      });
      return { ok: true, changes };
    }
  }
  return {
    ok: false,
    reason: "there is no room between the orders of the policies around it on the neighbouring pages; filter the board by this tier to reorder it as a whole",
  };
}
