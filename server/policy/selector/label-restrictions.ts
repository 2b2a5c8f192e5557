/**
 * Label restrictions: lower bounds on what a label set must look like for a
 * selector to match, as upstream `LabelRestrictions()` (parser/ast.go).
 * Used by the selector index to pick candidates.
 */
import type { SelectorNode } from "./ast";

export interface LabelRestriction {
  /** The label must be present (e.g. `has(k)`, `k == "v"`, `k in {...}`, `k contains "x"`). */
  readonly mustBePresent: boolean;
  /** The label must be absent (`!has(k)`). Both flags set means the selector cannot match. */
  readonly mustBeAbsent: boolean;
  /**
   * When non-null, the label's value must be one of these. An empty array means
   * the selector can match nothing (e.g. `a == "x" && a == "y"`).
   */
  readonly mustHaveOneOfValues: readonly string[] | null;
}

type Mutable = { mustBePresent: boolean; mustBeAbsent: boolean; mustHaveOneOfValues: string[] | null };
type RMap = Map<string, Mutable>;

function single(label: string, r: Mutable): RMap {
  return new Map([[label, r]]);
}

function restrictions(node: SelectorNode): RMap | null {
  switch (node.kind) {
    case "eq":
      return single(node.label, { mustBePresent: true, mustBeAbsent: false, mustHaveOneOfValues: [node.value] });
    case "in":
      return single(node.label, { mustBePresent: true, mustBeAbsent: false, mustHaveOneOfValues: [...node.values] });
    case "has":
    case "contains":
    case "startsWith":
    case "endsWith":
      return single(node.label, { mustBePresent: true, mustBeAbsent: false, mustHaveOneOfValues: null });
    case "ne":
    case "notIn":
    case "all":
    case "global":
      return null;
    case "not":
      // Only !has(k) can be inverted: !(k == "v") does not require k to be absent.
      if (node.operand.kind === "has") {
        return single(node.operand.label, { mustBePresent: false, mustBeAbsent: true, mustHaveOneOfValues: null });
      }
      return null;
    case "and": {
      const lr: RMap = new Map();
      for (const op of node.operands) {
        const opLr = restrictions(op);
        if (!opLr) continue;
        for (const [label, r] of opLr) {
          const base = lr.get(label);
          if (!base) {
            lr.set(label, { ...r, mustHaveOneOfValues: r.mustHaveOneOfValues ? [...r.mustHaveOneOfValues] : null });
            continue;
          }
          base.mustBePresent ||= r.mustBePresent;
          base.mustBeAbsent ||= r.mustBeAbsent;
          if (base.mustHaveOneOfValues === null) {
            base.mustHaveOneOfValues = r.mustHaveOneOfValues ? [...r.mustHaveOneOfValues] : null;
          } else if (r.mustHaveOneOfValues !== null) {
            const keep = new Set(r.mustHaveOneOfValues);
            base.mustHaveOneOfValues = base.mustHaveOneOfValues.filter((v) => keep.has(v));
          }
        }
      }
      return lr;
    }
    case "or": {
      const [first, ...rest] = node.operands;
      if (!first) return null;
      const lr = restrictions(first);
      if (!lr) return null;
      for (const op of rest) {
        const opLr = restrictions(op);
        for (const [label, r] of [...lr]) {
          const opr = opLr?.get(label);
          const mustBePresent = r.mustBePresent && (opr?.mustBePresent ?? false);
          let values: string[] | null = null;
          if (mustBePresent && r.mustHaveOneOfValues !== null && opr && opr.mustHaveOneOfValues !== null) {
            const seen = new Set(r.mustHaveOneOfValues);
            values = [...r.mustHaveOneOfValues];
            for (const v of opr.mustHaveOneOfValues) {
              if (!seen.has(v)) {
                seen.add(v);
                values.push(v);
              }
            }
          }
          const mustBeAbsent = r.mustBeAbsent && (opr?.mustBeAbsent ?? false);
          if (mustBePresent || mustBeAbsent) {
            lr.set(label, { mustBePresent, mustBeAbsent, mustHaveOneOfValues: values });
          } else {
            lr.delete(label);
          }
        }
      }
      return lr;
    }
  }
}

/** Label restrictions of a selector AST; null when there are none. */
export function labelRestrictionsOf(node: SelectorNode): Map<string, LabelRestriction> | null {
  const lr = restrictions(node);
  return lr && lr.size > 0 ? lr : null;
}
