/**
 * Tokenizer for the Calico selector language.
 *
 * Mirrors libcalico-go/lib/selector/tokenizer: only SPACE and TAB are
 * whitespace, labels are runs of `[A-Za-z0-9_./-]` of at most 512 bytes,
 * string literals have no escapes, and the word operators (`contains`,
 * `starts with`, `ends with`, `not in`, `in`) are only recognised directly
 * after a label and must end at a word boundary.
 */
import { SelectorSyntaxError } from "./errors";

export type TokenKind =
  | "Label"
  | "StringLiteral"
  | "LBrace"
  | "RBrace"
  | "Comma"
  | "Eq"
  | "Ne"
  | "In"
  | "Not"
  | "NotIn"
  | "Contains"
  | "StartsWith"
  | "EndsWith"
  | "All"
  | "Has"
  | "LParen"
  | "RParen"
  | "And"
  | "Or"
  | "Global"
  | "EOF";

export interface Token {
  readonly kind: TokenKind;
  /** Label name, string literal contents or `has(` label; "" for other kinds. */
  readonly value: string;
  /** 0-based offset of the token's first character in the input. */
  readonly pos: number;
}

/** Maximum length of a label (selector key), in bytes. */
export const MAX_LABEL_LENGTH = 512;

const SPACE = 0x20;
const TAB = 0x09;

/** True for the bytes that may appear in a label: `[A-Za-z0-9_./-]`. */
export function isLabelChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x5f || // _
    c === 0x2e || // .
    c === 0x2f || // /
    c === 0x2d // -
  );
}

/** True when `label` is a syntactically valid selector label (1..512 label bytes). */
export function isValidLabel(label: string): boolean {
  if (label.length === 0 || label.length > MAX_LABEL_LENGTH) return false;
  for (let i = 0; i < label.length; i++) if (!isLabelChar(label.charCodeAt(i))) return false;
  return true;
}

function skipWs(input: string, i: number): number {
  while (i < input.length) {
    const c = input.charCodeAt(i);
    if (c !== SPACE && c !== TAB) break;
    i++;
  }
  return i;
}

function isWordBoundary(input: string, i: number): boolean {
  return i >= input.length || !isLabelChar(input.charCodeAt(i));
}

/** Returns the index after `word` at `i`, or -1. */
function cutWord(input: string, i: number, word: string): number {
  return input.startsWith(word, i) ? i + word.length : -1;
}

/** Multi-word operator: each word may be followed by zero or more spaces/tabs; boundary after the last. */
function cutWords(input: string, i: number, words: readonly string[]): number {
  let j = i;
  for (const w of words) {
    const k = cutWord(input, j, w);
    if (k < 0) return -1;
    j = skipWs(input, k);
  }
  return isWordBoundary(input, j) ? j : -1;
}

function cutSingleWord(input: string, i: number, word: string): number {
  const k = cutWord(input, i, word);
  if (k < 0 || !isWordBoundary(input, k)) return -1;
  return k;
}

function scanLabelEnd(input: string, i: number): number {
  let j = i;
  while (j < input.length && isLabelChar(input.charCodeAt(j))) j++;
  return j;
}

function readIdentifier(input: string, i: number): { ident: string; end: number } {
  const end = scanLabelEnd(input, i);
  if (end === i) throw new SelectorSyntaxError("expected a label", input, i);
  if (end - i > MAX_LABEL_LENGTH) {
    throw new SelectorSyntaxError(`expected a label of at most ${MAX_LABEL_LENGTH} bytes, found ${end - i}`, input, i);
  }
  return { ident: input.slice(i, end), end };
}

const OPERATORS: ReadonlyArray<{ words: readonly string[]; kind: TokenKind }> = [
  { words: ["contains"], kind: "Contains" },
  { words: ["starts", "with"], kind: "StartsWith" },
  { words: ["ends", "with"], kind: "EndsWith" },
  { words: ["not", "in"], kind: "NotIn" },
  { words: ["in"], kind: "In" },
];

/**
 * Splits a selector into tokens; the last token is always `EOF`.
 * Throws SelectorSyntaxError for input the upstream tokenizer rejects.
 */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = input.length;
  for (;;) {
    i = skipWs(input, i);
    if (i >= n) {
      tokens.push({ kind: "EOF", value: "", pos: i });
      return tokens;
    }
    const start = i;
    const c = input.charCodeAt(i);
    const last = tokens.length > 0 ? tokens[tokens.length - 1]!.kind : undefined;
    switch (c) {
      case 0x28: // (
        tokens.push({ kind: "LParen", value: "", pos: start });
        i++;
        continue;
      case 0x29: // )
        tokens.push({ kind: "RParen", value: "", pos: start });
        i++;
        continue;
      case 0x22: // "
      case 0x27: {
        // '
        const q = c === 0x22 ? '"' : "'";
        const close = input.indexOf(q, i + 1);
        if (close < 0) throw new SelectorSyntaxError(`expected closing ${q} (unterminated string)`, input, start);
        tokens.push({ kind: "StringLiteral", value: input.slice(i + 1, close), pos: start });
        i = close + 1;
        continue;
      }
      case 0x7b: // {
        tokens.push({ kind: "LBrace", value: "", pos: start });
        i++;
        continue;
      case 0x7d: // }
        tokens.push({ kind: "RBrace", value: "", pos: start });
        i++;
        continue;
      case 0x2c: // ,
        tokens.push({ kind: "Comma", value: "", pos: start });
        i++;
        continue;
      case 0x3d: // =
        if (input.charCodeAt(i + 1) === 0x3d) {
          tokens.push({ kind: "Eq", value: "", pos: start });
          i += 2;
          continue;
        }
        throw new SelectorSyntaxError("expected ==", input, start);
      case 0x21: // !
        if (input.charCodeAt(i + 1) === 0x3d) {
          tokens.push({ kind: "Ne", value: "", pos: start });
          i += 2;
        } else {
          tokens.push({ kind: "Not", value: "", pos: start });
          i++;
        }
        continue;
      case 0x26: // &
        if (input.charCodeAt(i + 1) === 0x26) {
          tokens.push({ kind: "And", value: "", pos: start });
          i += 2;
          continue;
        }
        throw new SelectorSyntaxError("expected &&", input, start);
      case 0x7c: // |
        if (input.charCodeAt(i + 1) === 0x7c) {
          tokens.push({ kind: "Or", value: "", pos: start });
          i += 2;
          continue;
        }
        throw new SelectorSyntaxError("expected ||", input, start);
      default:
        break;
    }
    if (last === "Label") {
      let matched = false;
      for (const op of OPERATORS) {
        const end = op.words.length === 1 ? cutSingleWord(input, i, op.words[0]!) : cutWords(input, i, op.words);
        if (end >= 0) {
          tokens.push({ kind: op.kind, value: "", pos: start });
          i = end;
          matched = true;
          break;
        }
      }
      if (!matched) {
        const prev = tokens[tokens.length - 1]!.value;
        throw new SelectorSyntaxError(
          `expected an operator (==, !=, in, not in, contains, starts with, ends with) after label ${JSON.stringify(prev)}`,
          input,
          start,
        );
      }
      continue;
    }
    if (input.startsWith("has(", i)) {
      i = skipWs(input, i + 4);
      const { ident, end } = readIdentifier(input, i);
      i = skipWs(input, end);
      if (input.charCodeAt(i) !== 0x29) throw new SelectorSyntaxError("expected ) to close has(", input, i);
      tokens.push({ kind: "Has", value: ident, pos: start });
      i++;
      continue;
    }
    if (input.startsWith("all(", i)) {
      i = skipWs(input, i + 4);
      if (input.charCodeAt(i) !== 0x29) throw new SelectorSyntaxError("expected ) to close all(", input, i);
      tokens.push({ kind: "All", value: "", pos: start });
      i++;
      continue;
    }
    if (input.startsWith("global(", i)) {
      i = skipWs(input, i + 7);
      if (input.charCodeAt(i) !== 0x29) throw new SelectorSyntaxError("expected ) to close global(", input, i);
      tokens.push({ kind: "Global", value: "", pos: start });
      i++;
      continue;
    }
    if (!isLabelChar(c)) {
      throw new SelectorSyntaxError(
        `unexpected character ${JSON.stringify(input[i])}, expected a label or operator`,
        input,
        start,
      );
    }
    const { ident, end } = readIdentifier(input, i);
    tokens.push({ kind: "Label", value: ident, pos: start });
    i = end;
  }
}
