/**
 * Label key / value completion for selector inputs. Works on the text before the caret: a label
 * being typed (at the start, after an operator or a parenthesis, inside has(...)) gets key
 * suggestions; after `key ==` / `!=` / `contains` / `starts with` / `ends with` / `in {` the values
 * seen for that key are suggested (quoted if the quote is not typed yet).
 */
import type { Vocabulary } from "./preview";

export interface CompletionContext {
  kind: "key" | "value";
  /** The label whose values are suggested (kind "value"). */
  key?: string;
  /** Replace text[from, to) with the completion. */
  from: number;
  to: number;
  /** What has been typed of the key or value so far. */
  partial: string;
  /** The opening quote already typed, if any (values). */
  quote: "'" | '"' | null;
}

export interface Completion {
  kind: "key" | "value";
  /** Shown in the list. */
  label: string;
  /** How many pods/namespaces/sets carry it. */
  count: number;
  /** Text that replaces [from, to). */
  insert: string;
}

const LABEL = "[A-Za-z0-9_./-]";
const VALUE_OP = String.raw`(?:==|!=|\bcontains|\bstarts\s+with|\bends\s+with)`;
const QUOTED_VALUE = new RegExp(String.raw`(${LABEL}+)\s*${VALUE_OP}\s*(['"])([^'"]*)$`);
const BARE_VALUE = new RegExp(String.raw`(${LABEL}+)\s*${VALUE_OP}\s*$`);
const SET_QUOTED = new RegExp(String.raw`(${LABEL}+)\s+(?:not\s+)?in\s*\{(?:\s*(?:'[^']*'|"[^"]*")\s*,)*\s*(['"])([^'"]*)$`);
const SET_BARE = new RegExp(String.raw`(${LABEL}+)\s+(?:not\s+)?in\s*\{(?:\s*(?:'[^']*'|"[^"]*")\s*,)*\s*$`);
const KEY = new RegExp(String.raw`(?:^|[\s(!&|])(${LABEL}*)$`);
const KEYWORDS = new Set(["has", "all", "global", "in", "not", "contains", "starts", "ends", "with"]);

/** True when position `end` of `text` is inside a string literal. */
function insideString(text: string, end: number): boolean {
  let quote: string | null = null;
  for (let i = 0; i < end; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
  }
  return quote !== null;
}

export function completionContext(text: string, caret: number): CompletionContext | null {
  const before = text.slice(0, caret);
  let m = QUOTED_VALUE.exec(before) ?? SET_QUOTED.exec(before);
  if (m && insideString(text, caret)) {
    const partial = m[3]!;
    // The value continues after the caret: replace all of it.
    let to = caret;
    while (to < text.length && /[A-Za-z0-9_.-]/.test(text[to]!)) to++;
    return { kind: "value", key: m[1]!, from: caret - partial.length, to, partial, quote: m[2] as "'" | '"' };
  }
  if (insideString(text, caret)) return null;
  m = BARE_VALUE.exec(before) ?? SET_BARE.exec(before);
  if (m) return { kind: "value", key: m[1]!, from: caret, to: caret, partial: "", quote: null };
  m = KEY.exec(before);
  if (m) {
    const partial = m[1]!;
    // The label continues after the caret: replace all of it.
    let to = caret;
    while (to < text.length && /[A-Za-z0-9_./-]/.test(text[to]!)) to++;
    // A label followed by an operator or "(" is complete; "has(" etc. are keywords, not labels.
    if (KEYWORDS.has(partial) && text[to] === "(") return null;
    return { kind: "key", from: caret - partial.length, to, partial, quote: null };
  }
  return null;
}

/** Scores candidates against what was typed: 0 prefix, 1 word start, 2 substring, -1 no match. */
function ranker(partial: string): { best: number; rank: (candidate: string) => number } {
  if (partial === "") return { best: 1, rank: () => 1 };
  const p = partial.toLowerCase();
  const wordStart = new RegExp(String.raw`[./_-]${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);
  return {
    best: 0,
    rank: (candidate) => {
      const c = candidate.toLowerCase();
      if (c.startsWith(p)) return 0;
      // Word starts after a separator ("app.kubernetes.io/name" for "name").
      if (wordStart.test(c)) return 1;
      return c.includes(p) ? 2 : -1;
    },
  };
}

/**
 * Suggestions for a context, best first (then most frequent). Stops early once `limit` best-ranked
 * candidates are found, so keys with very many values (a label unique per pod) stay cheap.
 */
export function suggest(vocab: Vocabulary, ctx: CompletionContext, text: string, limit = 12): Completion[] {
  const { best, rank } = ranker(ctx.partial);
  const scored: Array<{ c: Completion; r: number; i: number }> = [];
  let bestCount = 0;
  const consider = (c: Completion, i: number) => {
    const r = rank(c.label);
    if (r < 0) return false;
    scored.push({ c, r, i });
    if (r === best) bestCount++;
    return bestCount >= limit;
  };
  if (ctx.kind === "key") {
    for (let i = 0; i < vocab.keys.length; i++) {
      const { key, count } = vocab.keys[i]!;
      if (key !== ctx.partial && consider({ kind: "key", label: key, count, insert: key }, i)) break;
    }
  } else {
    const values = vocab.values.get(ctx.key ?? "") ?? [];
    const closing = ctx.quote ?? "";
    for (let i = 0; i < values.length; i++) {
      const { value, count } = values[i]!;
      let insert: string;
      if (ctx.quote) {
        // Close the string unless the closing quote is already there.
        insert = text[ctx.to] === closing ? value : value + closing;
      } else {
        const q = value.includes("'") ? '"' : "'";
        insert = `${q}${value}${q}`;
      }
      if (consider({ kind: "value", label: value, count, insert }, i)) break;
    }
  }
  scored.sort((a, b) => a.r - b.r || a.i - b.i);
  return scored.slice(0, limit).map((s) => s.c);
}

/** The text after accepting a completion, and where the caret goes. */
export function applyCompletion(text: string, ctx: CompletionContext, completion: Completion): { text: string; caret: number } {
  const next = text.slice(0, ctx.from) + completion.insert + text.slice(ctx.to);
  let caret = ctx.from + completion.insert.length;
  // The closing quote was already there: put the caret after it.
  if (ctx.kind === "value" && ctx.quote && text[ctx.to] === ctx.quote) caret++;
  return { text: next, caret };
}
