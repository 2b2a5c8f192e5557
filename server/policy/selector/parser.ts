/**
 * Recursive-descent parser over tokens, mirroring libcalico-go's parser.go:
 *
 *   selector  := <empty> | or_expr
 *   or_expr   := and_expr ( "||" and_expr )*
 *   and_expr  := operation ( "&&" operation )*
 *   operation := "!"* ( has(L) | all() | global() | L op STRING | L (in|not in) SET | "(" or_expr ")" )
 */
import type { SelectorNode, ValueOp } from "./ast";
import { sortedUnique } from "./byte-order";
import { SelectorSyntaxError } from "./errors";
import { tokenize, type Token, type TokenKind } from "./tokenizer";

const VALUE_OPS: Partial<Record<TokenKind, ValueOp>> = {
  Eq: "eq",
  Ne: "ne",
  Contains: "contains",
  StartsWith: "startsWith",
  EndsWith: "endsWith",
};

const ALL_NODE: SelectorNode = { kind: "all" };

function describe(tok: Token): string {
  switch (tok.kind) {
    case "EOF":
      return "end of selector";
    case "Label":
      return `label ${JSON.stringify(tok.value)}`;
    case "StringLiteral":
      return `string ${JSON.stringify(tok.value)}`;
    case "Has":
      return `has(${tok.value})`;
    default:
      return tok.kind;
  }
}

/**
 * Parenthesis nesting limit. Upstream has none (Go stacks grow); we bound it
 * so hostile input cannot overflow the JavaScript stack.
 */
export const MAX_NESTING = 200;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly input: string,
    private readonly toks: Token[],
  ) {}

  private peek(offset = 0): Token {
    // The token list always ends with EOF and parsing never moves past it.
    const t = this.toks[Math.min(this.i + offset, this.toks.length - 1)];
    return t!;
  }

  private fail(expected: string, tok: Token): never {
    throw new SelectorSyntaxError(`expected ${expected}, found ${describe(tok)}`, this.input, tok.pos);
  }

  parseRoot(): SelectorNode {
    if (this.peek().kind === "EOF") return ALL_NODE;
    const node = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== "EOF") this.fail("&&, || or end of selector", rest);
    return node;
  }

  private parseOr(): SelectorNode {
    const first = this.parseAnd();
    if (this.peek().kind !== "Or") return first;
    const operands = [first];
    while (this.peek().kind === "Or") {
      this.i++;
      operands.push(this.parseAnd());
    }
    return { kind: "or", operands };
  }

  private parseAnd(): SelectorNode {
    const first = this.parseOperation();
    if (this.peek().kind !== "And") return first;
    const operands = [first];
    while (this.peek().kind === "And") {
      this.i++;
      operands.push(this.parseOperation());
    }
    return { kind: "and", operands };
  }

  private parseOperation(): SelectorNode {
    let negated = false;
    while (this.peek().kind === "Not") {
      negated = !negated;
      this.i++;
    }
    const node = this.parseUnnegated();
    return negated ? { kind: "not", operand: node } : node;
  }

  private parseUnnegated(): SelectorNode {
    const tok = this.peek();
    switch (tok.kind) {
      case "Has":
        this.i++;
        return { kind: "has", label: tok.value };
      case "All":
        this.i++;
        return ALL_NODE;
      case "Global":
        this.i++;
        return { kind: "global" };
      case "LParen": {
        if (++this.depth > MAX_NESTING) this.fail(`at most ${MAX_NESTING} nested parentheses`, tok);
        this.i++;
        const inner = this.parseOr();
        this.depth--;
        const close = this.peek();
        if (close.kind !== "RParen") this.fail(")", close);
        this.i++;
        return inner;
      }
      case "Label":
        return this.parseLabelOp(tok);
      default:
        return this.fail("a label, has(), all(), global(), ! or (", tok);
    }
  }

  private parseLabelOp(label: Token): SelectorNode {
    const op = this.peek(1);
    const valueOp = VALUE_OPS[op.kind];
    if (valueOp !== undefined) {
      const lit = this.peek(2);
      if (lit.kind !== "StringLiteral") this.fail("a quoted string", lit);
      this.i += 3;
      return { kind: valueOp, label: label.value, value: lit.value };
    }
    if (op.kind === "In" || op.kind === "NotIn") {
      const brace = this.peek(2);
      if (brace.kind !== "LBrace") this.fail("a set literal {", brace);
      this.i += 3;
      const values: string[] = [];
      while (this.peek().kind === "StringLiteral") {
        values.push(this.peek().value);
        this.i++;
        if (this.peek().kind === "Comma") this.i++;
        else break;
      }
      const close = this.peek();
      if (close.kind !== "RBrace") this.fail(values.length === 0 ? "a quoted string or }" : ", or }", close);
      this.i++;
      return { kind: op.kind === "In" ? "in" : "notIn", label: label.value, values: sortedUnique(values) };
    }
    return this.fail("an operator (==, !=, in, not in, contains, starts with, ends with)", op);
  }
}

/** Parses selector text into an AST; throws SelectorSyntaxError. */
export function parseNode(input: string): SelectorNode {
  const toks = tokenize(input);
  return new Parser(input, toks).parseRoot();
}
