/**
 * Selector AST, shaped like libcalico-go/lib/selector/parser/ast.go.
 *
 * Nodes are plain immutable objects. `in`/`not in` value lists are always
 * byte-sorted and de-duplicated. `and`/`or` have at least two operands when
 * produced by the parser; `not` never wraps another `not` produced by a run of
 * `!` (parity is collapsed), but `!(!x)` written with parentheses keeps both.
 */
export type ValueOp = "eq" | "ne" | "contains" | "startsWith" | "endsWith";
export type SetOp = "in" | "notIn";

export interface AllNode {
  readonly kind: "all";
}
export interface GlobalNode {
  readonly kind: "global";
}
export interface HasNode {
  readonly kind: "has";
  readonly label: string;
}
export interface ValueNode {
  readonly kind: ValueOp;
  readonly label: string;
  readonly value: string;
}
export interface SetNode {
  readonly kind: SetOp;
  readonly label: string;
  /** Byte-sorted, de-duplicated. */
  readonly values: readonly string[];
}
export interface NotNode {
  readonly kind: "not";
  readonly operand: SelectorNode;
}
export interface AndNode {
  readonly kind: "and";
  readonly operands: readonly SelectorNode[];
}
export interface OrNode {
  readonly kind: "or";
  readonly operands: readonly SelectorNode[];
}

export type SelectorNode = AllNode | GlobalNode | HasNode | ValueNode | SetNode | NotNode | AndNode | OrNode;

export type Labels = Readonly<Record<string, string>>;

/** Value of `key` in `labels`, or undefined when absent (only string-valued properties count). */
function get(labels: Labels, key: string): string | undefined {
  const v = labels[key];
  return typeof v === "string" ? v : undefined;
}

/** Direct (interpreting) evaluation; the reference semantics. */
export function evaluateNode(node: SelectorNode, labels: Labels): boolean {
  switch (node.kind) {
    case "all":
    case "global":
      return true;
    case "has":
      return get(labels, node.label) !== undefined;
    case "eq":
      return get(labels, node.label) === node.value;
    case "ne": {
      const v = get(labels, node.label);
      return v === undefined || v !== node.value;
    }
    case "contains": {
      const v = get(labels, node.label);
      return v !== undefined && v.includes(node.value);
    }
    case "startsWith": {
      const v = get(labels, node.label);
      return v !== undefined && v.startsWith(node.value);
    }
    case "endsWith": {
      const v = get(labels, node.label);
      return v !== undefined && v.endsWith(node.value);
    }
    case "in": {
      const v = get(labels, node.label);
      return v !== undefined && node.values.includes(v);
    }
    case "notIn": {
      const v = get(labels, node.label);
      return v === undefined || !node.values.includes(v);
    }
    case "not":
      return !evaluateNode(node.operand, labels);
    case "and":
      for (const op of node.operands) if (!evaluateNode(op, labels)) return false;
      return true;
    case "or":
      for (const op of node.operands) if (evaluateNode(op, labels)) return true;
      return false;
  }
}

export type Matcher = (labels: Labels) => boolean;

const SET_LINEAR_MAX = 8;

function setContains(values: readonly string[]): (v: string) => boolean {
  if (values.length === 0) return () => false;
  if (values.length === 1) {
    const only = values[0]!;
    return (v) => v === only;
  }
  if (values.length <= SET_LINEAR_MAX) {
    const arr = values.slice();
    return (v) => {
      for (let i = 0; i < arr.length; i++) if (arr[i] === v) return true;
      return false;
    };
  }
  const set = new Set(values);
  return (v) => set.has(v);
}

/** Compiles a node into a closure; same results as evaluateNode, faster for repeated use. */
export function compileNode(node: SelectorNode): Matcher {
  switch (node.kind) {
    case "all":
    case "global":
      return () => true;
    case "has": {
      const k = node.label;
      return (l) => typeof l[k] === "string";
    }
    case "eq": {
      const k = node.label;
      const val = node.value;
      return (l) => l[k] === val;
    }
    case "ne": {
      const k = node.label;
      const val = node.value;
      return (l) => l[k] !== val;
    }
    case "contains": {
      const k = node.label;
      const val = node.value;
      return (l) => {
        const v = l[k];
        return typeof v === "string" && v.includes(val);
      };
    }
    case "startsWith": {
      const k = node.label;
      const val = node.value;
      return (l) => {
        const v = l[k];
        return typeof v === "string" && v.startsWith(val);
      };
    }
    case "endsWith": {
      const k = node.label;
      const val = node.value;
      return (l) => {
        const v = l[k];
        return typeof v === "string" && v.endsWith(val);
      };
    }
    case "in": {
      const k = node.label;
      const has = setContains(node.values);
      return (l) => {
        const v = l[k];
        return typeof v === "string" && has(v);
      };
    }
    case "notIn": {
      const k = node.label;
      const has = setContains(node.values);
      return (l) => {
        const v = l[k];
        return typeof v !== "string" || !has(v);
      };
    }
    case "not": {
      const inner = compileNode(node.operand);
      return (l) => !inner(l);
    }
    case "and": {
      const ops = node.operands.map(compileNode);
      if (ops.length === 2) {
        const a = ops[0]!;
        const b = ops[1]!;
        return (l) => a(l) && b(l);
      }
      return (l) => {
        for (let i = 0; i < ops.length; i++) if (!ops[i]!(l)) return false;
        return true;
      };
    }
    case "or": {
      const ops = node.operands.map(compileNode);
      if (ops.length === 2) {
        const a = ops[0]!;
        const b = ops[1]!;
        return (l) => a(l) || b(l);
      }
      return (l) => {
        for (let i = 0; i < ops.length; i++) if (ops[i]!(l)) return true;
        return false;
      };
    }
  }
}
