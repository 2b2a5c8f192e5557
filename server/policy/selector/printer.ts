/**
 * Canonical printer: byte-identical to libcalico-go `Selector.String()`.
 */
import type { SelectorNode } from "./ast";

const OP_TEXT = {
  eq: " == ",
  ne: " != ",
  contains: " contains ",
  startsWith: " starts with ",
  endsWith: " ends with ",
} as const;

/** Double quotes unless the value contains `"`, then single quotes (as upstream). */
export function quoteValue(value: string): string {
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

function print(node: SelectorNode, out: string[]): void {
  switch (node.kind) {
    case "all":
      out.push("all()");
      return;
    case "global":
      out.push("global()");
      return;
    case "has":
      out.push("has(", node.label, ")");
      return;
    case "eq":
    case "ne":
    case "contains":
    case "startsWith":
    case "endsWith":
      out.push(node.label, OP_TEXT[node.kind], quoteValue(node.value));
      return;
    case "in":
    case "notIn":
      out.push(node.label, node.kind === "in" ? " in {" : " not in {", node.values.map(quoteValue).join(", "), "}");
      return;
    case "not":
      out.push("!");
      print(node.operand, out);
      return;
    case "and":
    case "or": {
      const sep = node.kind === "and" ? " && " : " || ";
      out.push("(");
      node.operands.forEach((op, i) => {
        if (i > 0) out.push(sep);
        print(op, out);
      });
      out.push(")");
      return;
    }
  }
}

export function printNode(node: SelectorNode): string {
  const out: string[] = [];
  print(node, out);
  return out.join("");
}
