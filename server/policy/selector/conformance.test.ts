/**
 * Runs every case of the upstream Calico selector conformance data
 * (testdata/calico-selectors.json, extracted from projectcalico/calico).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  SelectorSyntaxError,
  isValidSelector,
  parseSelector,
  prefixLabels,
  tokenize,
  type LabelRestriction,
} from "./index";

interface Corpus {
  match: Array<{ selector: string; labels: Record<string, string>; expected: boolean; origin: string }>;
  invalid: string[];
  invalid_detail: Array<{ selector: string; origin: string }>;
  canonical: Array<{ input: string; canonical: string; origin: string; uid?: string }>;
  tokenize: Array<{ input: string; error: boolean; tokens?: Array<{ kind: string; value: string }>; origin: string }>;
  label_restrictions: Array<{
    selector: string;
    restrictions: Record<
      string,
      { mustBePresent: boolean; mustBeAbsent: boolean; mustHaveOneOfValues: string[] | null }
    > | null;
    origin: string;
  }>;
  prefix_visitor: Array<{ input: string; prefix: string; output: string; description: string; origin: string }>;
  valid_selectors_from_match_tables: string[];
  counts: Record<string, number>;
}

const corpus = JSON.parse(
  readFileSync(path.join(import.meta.dirname, "testdata", "calico-selectors.json"), "utf8"),
) as Corpus;

const short = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
const where = (origin: string) => origin.replace(/^libcalico-go\/lib\/selector\//, "");

function expectSyntaxError(fn: () => unknown): SelectorSyntaxError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SelectorSyntaxError);
  const e = caught as SelectorSyntaxError;
  expect(e.position).toBeGreaterThanOrEqual(0);
  expect(e.position).toBeLessThanOrEqual(e.input.length);
  expect(e.message).toMatch(/expected/);
  expect(e.message).toContain(`position ${e.position}`);
  return e;
}

describe("conformance corpus", () => {
  it("has the advertised number of cases", () => {
    expect(corpus.match).toHaveLength(corpus.counts.match!);
    expect(corpus.invalid).toHaveLength(corpus.counts.invalid_unique!);
    expect(corpus.invalid_detail).toHaveLength(corpus.counts.invalid_asserted!);
    expect(corpus.canonical).toHaveLength(corpus.counts.canonical!);
    expect(corpus.tokenize).toHaveLength(corpus.counts.tokenize!);
    expect(corpus.label_restrictions).toHaveLength(corpus.counts.label_restrictions!);
    expect(corpus.prefix_visitor).toHaveLength(corpus.counts.prefix_visitor!);
  });
});

describe("match", () => {
  for (const c of corpus.match) {
    it(`${where(c.origin)}: ${short(c.selector)} on ${JSON.stringify(c.labels)} -> ${c.expected}`, () => {
      const sel = parseSelector(c.selector);
      expect(sel.matches(c.labels)).toBe(c.expected);
      // Upstream also asserts the same result after re-parsing the canonical form.
      const again = parseSelector(sel.toString());
      expect(again.toString()).toBe(sel.toString());
      expect(again.matches(c.labels)).toBe(c.expected);
      // Repeated evaluation goes through the compiled matcher: same answer.
      for (let i = 0; i < 5; i++) expect(again.matches(c.labels)).toBe(c.expected);
    });
  }
});

describe("invalid", () => {
  for (const c of corpus.invalid_detail) {
    it(`${where(c.origin)}: rejects ${short(JSON.stringify(c.selector))}`, () => {
      expectSyntaxError(() => parseSelector(c.selector));
      expect(isValidSelector(c.selector)).toBe(false);
    });
  }
  it("covers every deduplicated invalid selector", () => {
    for (const s of corpus.invalid) {
      expectSyntaxError(() => parseSelector(s));
    }
  });
});

describe("canonical", () => {
  for (const c of corpus.canonical) {
    it(`${where(c.origin)}: ${JSON.stringify(c.input)} prints ${c.canonical}`, () => {
      const sel = parseSelector(c.input);
      expect(sel.toString()).toBe(c.canonical);
      const again = parseSelector(c.canonical);
      expect(again.toString()).toBe(c.canonical);
      expect(again.uid()).toBe(sel.uid());
      if (c.uid !== undefined) expect(sel.uid()).toBe(c.uid);
    });
  }
});

describe("tokenize", () => {
  for (const c of corpus.tokenize) {
    it(`${where(c.origin)}: ${short(JSON.stringify(c.input))}${c.error ? " fails" : ""}`, () => {
      if (c.error) {
        expectSyntaxError(() => tokenize(c.input));
        expectSyntaxError(() => parseSelector(c.input));
      } else {
        const toks = tokenize(c.input).map((t) => ({ kind: t.kind, value: t.value }));
        expect(toks).toEqual(c.tokens);
      }
    });
  }
});

function normalise(
  m: Map<string, LabelRestriction> | null,
): Record<string, { mustBePresent: boolean; mustBeAbsent: boolean; mustHaveOneOfValues: string[] | null }> | null {
  if (m === null) return null;
  const out: Record<string, { mustBePresent: boolean; mustBeAbsent: boolean; mustHaveOneOfValues: string[] | null }> =
    {};
  for (const [k, r] of m) {
    out[k] = {
      mustBePresent: r.mustBePresent,
      mustBeAbsent: r.mustBeAbsent,
      mustHaveOneOfValues: r.mustHaveOneOfValues === null ? null : [...new Set(r.mustHaveOneOfValues)].sort(),
    };
  }
  return out;
}

describe("label_restrictions", () => {
  for (const c of corpus.label_restrictions) {
    it(`${where(c.origin)}: ${JSON.stringify(c.selector)}`, () => {
      const expected =
        c.restrictions === null
          ? null
          : Object.fromEntries(
              Object.entries(c.restrictions).map(([k, r]) => [
                k,
                {
                  ...r,
                  mustHaveOneOfValues:
                    r.mustHaveOneOfValues === null ? null : [...new Set(r.mustHaveOneOfValues)].sort(),
                },
              ]),
            );
      expect(normalise(parseSelector(c.selector).labelRestrictions())).toEqual(expected);
    });
  }
});

describe("prefix_visitor", () => {
  for (const c of corpus.prefix_visitor) {
    it(`${where(c.origin)}: ${c.description}`, () => {
      const out = prefixLabels(parseSelector(c.input), c.prefix);
      expect(out.toString()).toBe(c.output);
      expect(parseSelector(out.toString()).toString()).toBe(c.output);
    });
  }
});

describe("valid_selectors_from_match_tables", () => {
  for (const s of corpus.valid_selectors_from_match_tables) {
    it(`parses ${short(JSON.stringify(s))}`, () => {
      expect(isValidSelector(s)).toBe(true);
      expect(() => parseSelector(s)).not.toThrow();
    });
  }
});
