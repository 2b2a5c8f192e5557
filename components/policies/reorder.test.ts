import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arrayMove, planReorder, type Orderable } from "./reorder";

const P = (...orders: Array<number | null>): Orderable[] => orders.map((order, i) => ({ id: String.fromCharCode(97 + i), order }));

/** Calico's order within a tier: order ascending, no order last, ties by name. */
function evaluationOrder(items: Orderable[]): string[] {
  return [...items]
    .sort((x, y) => {
      const a = x.order ?? Number.POSITIVE_INFINITY;
      const b = y.order ?? Number.POSITIVE_INFINITY;
      return a !== b ? a - b : x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
    })
    .map((x) => x.id);
}

function apply(items: Orderable[], changes: Array<{ id: string; order: number }>): Orderable[] {
  const by = new Map(changes.map((c) => [c.id, c.order]));
  return items.map((x) => (by.has(x.id) ? { ...x, order: by.get(x.id)! } : x));
}

describe("planReorder", () => {
  it("puts the moved policy midway between distinct neighbours, changing only it", () => {
    expect(planReorder(P(10, 20, 30), 2, 1)).toEqual({ ok: true, changes: [{ id: "c", order: 15 }] });
    expect(planReorder(P(10, 11, 30), 2, 1)).toEqual({ ok: true, changes: [{ id: "c", order: 10.5 }] });
    expect(planReorder(P(10, 20, 30), 0, 2)).toEqual({ ok: true, changes: [{ id: "a", order: 40 }] });
    expect(planReorder(P(100, 200, 300), 2, 0)).toEqual({ ok: true, changes: [{ id: "c", order: 90 }] });
    // To the top when the first order is small: stays above zero while there is room.
    expect(planReorder(P(4, 20), 1, 0)).toEqual({ ok: true, changes: [{ id: "b", order: 2 }] });
    expect(planReorder(P(0, 20), 1, 0)).toEqual({ ok: true, changes: [{ id: "b", order: -10 }] });
    expect(planReorder(P(10, 20), 1, 1)).toEqual({ ok: true, changes: [] });
  });

  it("renumbers the fewest policies when neighbours share an order or have none", () => {
    // [a10, b10, c10]: c between a and b needs one neighbour renumbered too.
    const tie = planReorder(P(10, 10, 10), 2, 1);
    expect(tie.ok && tie.changes.length).toBe(2);
    expect(tie.ok && evaluationOrder(apply(P(10, 10, 10), tie.changes))).toEqual(["a", "c", "b"]);
    // No orders at all: moving d to second place orders only the first two.
    const none = planReorder(P(null, null, null, null), 3, 1);
    expect(none).toEqual({ ok: true, changes: [{ id: "a", order: 10 }, { id: "d", order: 20 }] });
    // After the ordered ones, before the unordered: one change.
    expect(planReorder(P(10, null, null), 2, 1)).toEqual({ ok: true, changes: [{ id: "c", order: 20 }] });
    // Last, behind policies without an order: they must get orders first.
    const last = planReorder(P(10, null, null), 0, 2);
    expect(last.ok && evaluationOrder(apply(P(10, null, null), last.changes))).toEqual(["b", "c", "a"]);
  });

  it("never changes the policies just off the page, and says so when there is no room", () => {
    expect(planReorder(P(20, 30), 1, 0, { before: 10, after: 40 })).toEqual({ ok: true, changes: [{ id: "b", order: 15 }] });
    const blocked = planReorder(P(10, 10, 10), 2, 0, { before: 10, after: 10 });
    expect(blocked.ok).toBe(false);
    // Behind a policy without an order on the previous page: nothing numeric can follow it.
    expect(planReorder(P(null, null), 1, 0, { before: null }).ok).toBe(false);
  });

  it("always yields exactly the dropped order (property)", () => {
    const order = fc.oneof(fc.constant(null), fc.integer({ min: -3, max: 6 }).map((x) => x * 5), fc.double({ min: -50, max: 50, noNaN: true, noDefaultInfinity: true }));
    fc.assert(
      fc.property(fc.array(order, { minLength: 2, maxLength: 12 }), fc.nat(), fc.nat(), (orders, f, t) => {
        const sorted = evaluationOrder(P(...orders));
        const items = sorted.map((id) => P(...orders).find((x) => x.id === id)!);
        const from = f % items.length;
        const to = t % items.length;
        const plan = planReorder(items, from, to);
        expect(plan.ok).toBe(true);
        if (!plan.ok) return;
        const after = evaluationOrder(apply(items, plan.changes));
        expect(after).toEqual(arrayMove(items, from, to).map((x) => x.id));
        expect(plan.changes.every((c) => Number.isFinite(c.order))).toBe(true);
        expect(plan.changes.length).toBeLessThanOrEqual(items.length);
      }),
      { numRuns: 2000 },
    );
  });
});
