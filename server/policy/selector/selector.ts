/**
 * The Selector object: a parsed, immutable Calico selector.
 */
import { compileNode, evaluateNode, type Labels, type Matcher, type SelectorNode } from "./ast";
import { SelectorSyntaxError } from "./errors";
import { labelRestrictionsOf, type LabelRestriction } from "./label-restrictions";
import { parseNode } from "./parser";
import { printNode } from "./printer";
import { makeUniqueId } from "./sha224";
import { isValidLabel } from "./tokenizer";
import { prefixNode, replaceAllNode } from "./transform";

export interface Selector {
  /** True when the selector matches the label set (reference §1.3). */
  matches(labels: Labels): boolean;
  /** Calico canonical form, byte-identical to Go `Selector.String()`. */
  toString(): string;
  /** `"s:" + base64url_nopad(sha224("s:" + canonical))`, as Go `UniqueID()`. */
  uid(): string;
  readonly root: SelectorNode;
  /** Upstream `LabelRestrictions()`; null when the selector places no restriction on any label. */
  labelRestrictions(): Map<string, LabelRestriction> | null;
}

class SelectorImpl implements Selector {
  readonly root: SelectorNode;
  private matcher: Matcher | undefined;
  private canonical: string | undefined;
  private id: string | undefined;
  private restrictions: Map<string, LabelRestriction> | null | undefined;
  private evaluations = 0;

  constructor(root: SelectorNode) {
    this.root = root;
  }

  matches(labels: Labels): boolean {
    const m = this.matcher;
    if (m !== undefined) return m(labels);
    // Interpret the first few evaluations; compile once the selector is clearly reused.
    if (++this.evaluations >= 4) this.matcher = compileNode(this.root);
    return evaluateNode(this.root, labels);
  }

  toString(): string {
    return (this.canonical ??= printNode(this.root));
  }

  uid(): string {
    return (this.id ??= makeUniqueId("s", this.toString()));
  }

  labelRestrictions(): Map<string, LabelRestriction> | null {
    if (this.restrictions === undefined) this.restrictions = labelRestrictionsOf(this.root);
    if (this.restrictions === null) return null;
    // Hand out a copy so callers cannot corrupt the cached value.
    return new Map(this.restrictions);
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Wraps an AST in a Selector (the AST is not validated; use parseSelector for text). */
export function selectorFromNode(root: SelectorNode): Selector {
  return new SelectorImpl(root);
}

/** Parses selector text. Empty or whitespace-only (space/tab) text is `all()`. Throws SelectorSyntaxError. */
export function parseSelector(text: string): Selector {
  if (typeof text !== "string") throw new SelectorSyntaxError("expected selector text", String(text), 0);
  return new SelectorImpl(parseNode(text));
}

export function isValidSelector(text: string): boolean {
  try {
    parseNode(text);
    return true;
  } catch (err) {
    if (err instanceof SelectorSyntaxError) return false;
    throw err;
  }
}

/** `all()`: matches everything. */
export const ALL: Selector = new SelectorImpl({ kind: "all" });
/** `!all()`: matches nothing (Calico's "NoMatch"). */
export const NONE: Selector = new SelectorImpl({ kind: "not", operand: { kind: "all" } });

/**
 * AND of the parts, as Calico builds `(<a>) && <b>` textually and re-parses it:
 * one AND node whose operands are the parts' roots (nested ANDs are not flattened).
 * No parts gives `all()`; one part returns it unchanged.
 */
export function andSelectors(...parts: Selector[]): Selector {
  if (parts.length === 0) return ALL;
  if (parts.length === 1) return parts[0]!;
  return new SelectorImpl({ kind: "and", operands: parts.map((p) => p.root) });
}

/** Prefixes every label name (upstream PrefixVisitor), e.g. `pcns.` for namespace selectors. */
export function prefixLabels(sel: Selector, prefix: string): Selector {
  if (prefix.length > 0 && !/^[A-Za-z0-9_./-]*$/.test(prefix)) {
    throw new SelectorSyntaxError("expected a prefix made of label characters [A-Za-z0-9_./-]", prefix, 0);
  }
  return new SelectorImpl(prefixNode(sel.root, prefix));
}

/** Replaces every `all()` node by `replacement` (AST-level; see transform.ts for the parity rule). */
export function replaceAll(sel: Selector, replacement: Selector): Selector {
  return new SelectorImpl(replaceAllNode(sel.root, replacement.root));
}

function checkLabel(key: string): void {
  if (!isValidLabel(key)) {
    throw new SelectorSyntaxError("expected a label of 1-512 characters from [A-Za-z0-9_./-]", key, 0);
  }
}

function checkValue(value: string): void {
  if (value.includes('"') && value.includes("'")) {
    const at = Math.max(value.indexOf('"'), value.indexOf("'"));
    throw new SelectorSyntaxError("expected a value without both quote kinds (it could not be printed)", value, at);
  }
}

/** `key == "value"`. Throws SelectorSyntaxError for an invalid key or a value with both quote kinds. */
export function selectorEq(key: string, value: string): Selector {
  checkLabel(key);
  checkValue(value);
  return new SelectorImpl({ kind: "eq", label: key, value });
}

/** `has(key)`. Throws SelectorSyntaxError for an invalid key. */
export function selectorHas(key: string): Selector {
  checkLabel(key);
  return new SelectorImpl({ kind: "has", label: key });
}
