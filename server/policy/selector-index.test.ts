import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SelectorIndex, type IndexedEndpoint } from "./selector-index";
import { andSelectors, parseSelector, selectorEq, selectorFromNode, type SelectorNode } from "./selector/index";

const NS = "projectcalico.org/namespace";

function pods(): IndexedEndpoint[] {
  return [
    { id: "a", labels: { app: "web", tier: "fe", [NS]: "prod" } },
    { id: "b", labels: { app: "web", tier: "be", [NS]: "dev" } },
    { id: "c", labels: { app: "db", [NS]: "prod" } },
    { id: "d", labels: { app: "", [NS]: "prod", "pcns.team": "x" } },
    { id: "hep", labels: { role: "host" } },
  ];
}

describe("SelectorIndex", () => {
  it("answers equality, in, has and namespace-scoped queries through the index", () => {
    const idx = new SelectorIndex(pods());
    expect(idx.size).toBe(5);
    const q = (s: string) => idx.query(parseSelector(s));
    expect(q('app == "web"')).toEqual(["a", "b"]);
    expect(q('app in {"db", "web"}')).toEqual(["a", "b", "c"]);
    expect(q("has(app)")).toEqual(["a", "b", "c", "d"]);
    expect(q('app == ""')).toEqual(["d"]);
    const eff = andSelectors(parseSelector('app == "web"'), selectorEq(NS, "prod"));
    expect(idx.query(eff)).toEqual(["a"]);
    expect(idx.explain(eff)).toMatchObject({ strategy: "index", candidates: 2 });
    expect(idx.explain(parseSelector('app == "db"'))).toEqual({ strategy: "index", candidates: 1, key: "app" });
    expect(idx.count(parseSelector('app in {"db", "web"}'))).toBe(3);
  });

  it("scans when restrictions do not narrow, and still answers exactly", () => {
    const idx = new SelectorIndex(pods());
    for (const s of ['app != "web"', 'app not in {"web"}', "!has(app)", "all()", 'app == "web" || role == "host"']) {
      const sel = parseSelector(s);
      expect(idx.explain(sel).strategy).toBe("scan");
      expect(idx.query(sel)).toEqual(idx.scan(sel));
    }
    expect(idx.query(parseSelector('app != "web"'))).toEqual(["c", "d", "hep"]);
  });

  it("short-circuits contradictory selectors", () => {
    const idx = new SelectorIndex(pods());
    for (const s of ['app == "web" && app == "db"', "has(app) && !has(app)", "app in {}"]) {
      const sel = parseSelector(s);
      expect(idx.explain(sel)).toMatchObject({ strategy: "index", candidates: 0 });
      expect(idx.query(sel)).toEqual([]);
    }
  });

  it("tracks upserts and removals, keeping first-insertion order", () => {
    const idx = new SelectorIndex(pods());
    idx.upsert({ id: "a", labels: { app: "db", [NS]: "prod" } });
    expect(idx.query(parseSelector('app == "web"'))).toEqual(["b"]);
    expect(idx.query(parseSelector('app == "db"'))).toEqual(["a", "c"]);
    idx.remove("c");
    idx.remove("missing");
    expect(idx.size).toBe(4);
    expect(idx.query(parseSelector('app == "db"'))).toEqual(["a"]);
    expect(idx.query(parseSelector("has(tier)"))).toEqual(["b"]);
  });

  it("copies labels so later mutation of the input cannot corrupt it", () => {
    const labels: Record<string, string> = { app: "web" };
    const idx = new SelectorIndex([{ id: "x", labels }]);
    labels.app = "db";
    expect(idx.query(parseSelector('app == "web"'))).toEqual(["x"]);
    expect(idx.labelsOf("x")).toEqual({ app: "web" });
  });

  it("handles keys that collide with Object.prototype members", () => {
    const labels = JSON.parse('{"__proto__": "p", "constructor": "c"}') as Record<string, string>;
    const idx = new SelectorIndex([
      { id: "x", labels },
      { id: "y", labels: {} },
    ]);
    expect(idx.query(parseSelector('__proto__ == "p"'))).toEqual(["x"]);
    expect(idx.query(parseSelector("has(constructor)"))).toEqual(["x"]);
    expect(idx.query(parseSelector("!has(constructor)"))).toEqual(["y"]);
  });
});

const KEYS = ["app", "tier", NS, "pcns.team", "env"];
const VALUES = ["", "web", "db", "prod", "dev", "x"];
const key = fc.constantFrom(...KEYS);
const value = fc.constantFrom(...VALUES);

const nodeArb: fc.Memo<SelectorNode> = fc.memo((depth) => {
  const leaf = fc.oneof(
    { weight: 1, arbitrary: fc.constant<SelectorNode>({ kind: "all" }) },
    { weight: 2, arbitrary: key.map<SelectorNode>((label) => ({ kind: "has", label })) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(fc.constantFrom("eq", "eq", "ne", "contains", "startsWith", "endsWith" as const), key, value)
        .map<SelectorNode>(([kind, label, v]) => ({ kind, label, value: v })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom("in", "in", "notIn" as const), key, fc.uniqueArray(value, { maxLength: 3 }))
        .map<SelectorNode>(([kind, label, values]) => ({ kind, label, values: [...values].sort() })),
    },
  );
  if (depth <= 1) return leaf;
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: nodeArb(depth - 1).map<SelectorNode>((operand) => ({ kind: "not", operand })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom("and", "and", "or" as const),
          fc.array(nodeArb(depth - 1), { minLength: 2, maxLength: 3 }),
        )
        .map<SelectorNode>(([kind, operands]) => ({ kind, operands })),
    },
  );
});

const endpointsArb = fc.uniqueArray(
  fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), labels: fc.dictionary(key, value, { maxKeys: 4 }) }),
  { selector: (e) => e.id, maxLength: 40 },
);

describe("SelectorIndex properties", () => {
  it("query and count equal a full scan on random inventories, selectors and updates", () => {
    fc.assert(
      fc.property(
        endpointsArb,
        fc.array(nodeArb(3), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(60), fc.dictionary(key, value, { maxKeys: 4 }), fc.boolean()), { maxLength: 10 }),
        (eps, nodes, updates) => {
          const idx = new SelectorIndex(eps);
          const reference = new Map(eps.map((e) => [e.id, e.labels]));
          for (const [n, labels, del] of updates) {
            const id = eps[n % Math.max(1, eps.length)]?.id ?? `new${n}`;
            if (del) {
              idx.remove(id);
              reference.delete(id);
            } else {
              idx.upsert({ id, labels });
              reference.set(id, labels);
            }
          }
          expect(idx.size).toBe(reference.size);
          for (const node of nodes) {
            const sel = selectorFromNode(node);
            const expected = [...reference].filter(([, l]) => sel.matches(l)).map(([id]) => id);
            expect(idx.query(sel)).toEqual(expected);
            expect(idx.count(sel)).toBe(expected.length);
            const plan = idx.explain(sel);
            expect(plan.candidates).toBeGreaterThanOrEqual(plan.strategy === "index" ? expected.length : 0);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
