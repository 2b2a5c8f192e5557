/**
 * AST transformations used to build effective selectors (reference §1.6).
 */
import type { SelectorNode } from "./ast";

/** PrefixVisitor: prefixes every label name (has, ==, !=, contains, starts/ends with, in, not in). */
export function prefixNode(node: SelectorNode, prefix: string): SelectorNode {
  switch (node.kind) {
    case "all":
    case "global":
      return node;
    case "has":
    case "eq":
    case "ne":
    case "contains":
    case "startsWith":
    case "endsWith":
    case "in":
    case "notIn":
      return { ...node, label: prefix + node.label };
    case "not":
      return { kind: "not", operand: prefixNode(node.operand, prefix) };
    case "and":
    case "or":
      return { kind: node.kind, operands: node.operands.map((op) => prefixNode(op, prefix)) };
  }
}

/**
 * Replaces every `all()` node by `replacement`.
 *
 * Upstream replaces the text `all()` in the canonical string and re-parses it.
 * On canonical text a `!` directly precedes `all()`, so a replacement that is
 * itself negated merges into the run of `!` and the parity collapses
 * (`!all()` with `!has(x)` becomes `has(x)`). We reproduce that here; unlike
 * upstream we never touch string literals that happen to contain `all()`.
 */
export function replaceAllNode(node: SelectorNode, replacement: SelectorNode): SelectorNode {
  switch (node.kind) {
    case "all":
      return replacement;
    case "not": {
      if (node.operand.kind === "all") {
        return replacement.kind === "not" ? replacement.operand : { kind: "not", operand: replacement };
      }
      return { kind: "not", operand: replaceAllNode(node.operand, replacement) };
    }
    case "and":
    case "or":
      return { kind: node.kind, operands: node.operands.map((op) => replaceAllNode(op, replacement)) };
    default:
      return node;
  }
}
