import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileNode, evaluateNode, type SelectorNode } from "./ast";
import { SelectorSyntaxError, isValidSelector, parseSelector, printNode, selectorFromNode } from "./index";

const KEYS = ["a", "b", "app", "x/y", "k.io/name", "-z"];
const VALUES = ["", "v", "web", "it's", 'say "hi"', "é", "\u{1F600}", "\uFF5E", "all()", "a b", "\\"];

const key = fc.constantFrom(...KEYS);
const value = fc.constantFrom(...VALUES);

const nodeArb: fc.Memo<SelectorNode> = fc.memo((depth) => {
  const leaf = fc.oneof(
    fc.constant<SelectorNode>({ kind: "all" }),
    fc.constant<SelectorNode>({ kind: "global" }),
    key.map<SelectorNode>((label) => ({ kind: "has", label })),
    fc
      .tuple(fc.constantFrom("eq", "ne", "contains", "startsWith", "endsWith" as const), key, value)
      .map<SelectorNode>(([kind, label, v]) => ({ kind, label, value: v })),
    fc
      .tuple(fc.constantFrom("in", "notIn" as const), key, fc.uniqueArray(value, { maxLength: 4 }))
      .map<SelectorNode>(([kind, label, values]) => ({ kind, label, values })),
  );
  if (depth <= 1) return leaf;
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: nodeArb(depth - 1).map<SelectorNode>((operand) => ({ kind: "not", operand })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom("and", "or" as const), fc.array(nodeArb(depth - 1), { minLength: 2, maxLength: 3 }))
        .map<SelectorNode>(([kind, operands]) => ({ kind, operands })),
    },
  );
});

const labelsArb = fc.dictionary(key, value, { maxKeys: KEYS.length });

describe("selector properties", () => {
  it("canonical form reparses to itself and evaluates like the original", () => {
    fc.assert(
      fc.property(nodeArb(4), fc.array(labelsArb, { minLength: 1, maxLength: 8 }), (node, labelSets) => {
        const text = printNode(node);
        const sel = parseSelector(text);
        expect(sel.toString()).toBe(parseSelector(sel.toString()).toString());
        const original = selectorFromNode(node);
        for (const labels of labelSets) {
          const want = evaluateNode(node, labels);
          expect(sel.matches(labels)).toBe(want);
          expect(original.matches(labels)).toBe(want);
          expect(compileNode(sel.root)(labels)).toBe(want);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it("label restrictions are sound: a matching label set satisfies every restriction", () => {
    fc.assert(
      fc.property(nodeArb(4), fc.array(labelsArb, { minLength: 1, maxLength: 10 }), (node, labelSets) => {
        const sel = selectorFromNode(node);
        const lr = sel.labelRestrictions();
        if (!lr) return;
        for (const labels of labelSets) {
          if (!sel.matches(labels)) continue;
          for (const [k, r] of lr) {
            const present = Object.hasOwn(labels, k);
            if (r.mustBePresent) expect(present).toBe(true);
            if (r.mustBeAbsent) expect(present).toBe(false);
            if (r.mustHaveOneOfValues) expect(r.mustHaveOneOfValues).toContain(labels[k]);
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  const tokenText = fc.constantFrom(
    "a",
    "b",
    "in",
    "not",
    "contains",
    "starts",
    "ends",
    "with",
    "has(",
    "all(",
    "global(",
    "(",
    ")",
    "{",
    "}",
    ",",
    "==",
    "!=",
    "!",
    "&&",
    "||",
    "=",
    "&",
    "|",
    '"v"',
    "'w'",
    '"',
    "'",
    " ",
    "\t",
    "\n",
    "é",
    "%",
    "has(a)",
    "all()",
  );

  it("random token soup either parses or throws SelectorSyntaxError, never anything else", () => {
    fc.assert(
      fc.property(
        fc.array(tokenText, { maxLength: 14 }).map((parts) => parts.join("")),
        (text) => {
          let sel;
          try {
            sel = parseSelector(text);
          } catch (err) {
            expect(err).toBeInstanceOf(SelectorSyntaxError);
            const e = err as SelectorSyntaxError;
            expect(e.position).toBeGreaterThanOrEqual(0);
            expect(e.position).toBeLessThanOrEqual(text.length);
            expect(isValidSelector(text)).toBe(false);
            return;
          }
          expect(isValidSelector(text)).toBe(true);
          expect(parseSelector(sel.toString()).toString()).toBe(sel.toString());
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("arbitrary unicode strings never throw anything but SelectorSyntaxError", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (text) => {
        try {
          parseSelector(text);
        } catch (err) {
          expect(err).toBeInstanceOf(SelectorSyntaxError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
