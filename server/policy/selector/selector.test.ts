import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { compareBytes, sortedUnique } from "./byte-order";
import { base64UrlNoPad, sha224 } from "./sha224";
import {
  ALL,
  NONE,
  SelectorSyntaxError,
  andSelectors,
  isValidSelector,
  parseSelector,
  prefixLabels,
  replaceAll,
  selectorEq,
  selectorHas,
  tokenize,
} from "./index";

const canon = (s: string) => parseSelector(s).toString();

function syntaxError(text: string): SelectorSyntaxError {
  try {
    parseSelector(text);
  } catch (err) {
    expect(err).toBeInstanceOf(SelectorSyntaxError);
    return err as SelectorSyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe("lexical rules (reference §1.1)", () => {
  it("accepts only space and tab as whitespace", () => {
    expect(canon("\ta\t==\t'b'\t")).toBe('a == "b"');
    for (const ws of ["\n", "\r", "\r\n", "\f", "\v", "\u00a0"]) {
      expect(isValidSelector(`a == "b"${ws}`)).toBe(false);
      expect(isValidSelector(`${ws}a == "b"`)).toBe(false);
    }
    expect(isValidSelector('a == "b" &&\nc == "d"')).toBe(false);
  });

  it("allows newlines inside string literals", () => {
    const sel = parseSelector('a == "x\ny"');
    expect(sel.matches({ a: "x\ny" })).toBe(true);
    expect(sel.toString()).toBe('a == "x\ny"');
  });

  it("treats any run of label bytes as a label, up to 512 bytes", () => {
    for (const l of ["-a", "a/b/c", ".", "9", "/", "_", "A.b-C/d_9"]) {
      expect(parseSelector(`${l} == "v"`).matches({ [l]: "v" })).toBe(true);
    }
    expect(isValidSelector(`${"k".repeat(512)} == "v"`)).toBe(true);
    expect(isValidSelector(`${"k".repeat(513)} == "v"`)).toBe(false);
    expect(isValidSelector(`has(${"k".repeat(512)})`)).toBe(true);
    expect(isValidSelector(`has(${"k".repeat(513)})`)).toBe(false);
  });

  it("rejects non-ASCII outside literals and accepts it inside", () => {
    expect(isValidSelector('é == "x"')).toBe(false);
    expect(parseSelector('a == "é😀"').matches({ a: "é😀" })).toBe(true);
  });

  it("has no escapes: backslash is an ordinary character", () => {
    const sel = parseSelector('a == "x\\"');
    expect(sel.matches({ a: "x\\" })).toBe(true);
    expect(isValidSelector('a == "x\\" y"')).toBe(false);
  });

  it("supports both quote kinds; a literal holds the other kind", () => {
    expect(parseSelector(`a == "it's"`).matches({ a: "it's" })).toBe(true);
    expect(parseSelector(`a == 'say "hi"'`).matches({ a: 'say "hi"' })).toBe(true);
    expect(canon(`a == 'plain'`)).toBe('a == "plain"');
    expect(canon(`a == 'say "hi"'`)).toBe(`a == 'say "hi"'`);
    expect(canon(`a in {'x"y', "it's"}`)).toBe(`a in {"it's", 'x"y'}`);
  });

  it("rejects single =, & and |", () => {
    for (const s of ['a = "b"', 'a == "b" & c == "d"', 'a == "b" | c == "d"']) expect(isValidSelector(s)).toBe(false);
  });

  it("needs has(, all( and global( adjacent to their parenthesis", () => {
    expect(isValidSelector("has( a )")).toBe(true);
    expect(isValidSelector("all( )")).toBe(true);
    expect(isValidSelector("global(\t)")).toBe(true);
    expect(isValidSelector("has (a)")).toBe(false);
    expect(isValidSelector("all ()")).toBe(false);
    expect(isValidSelector("global ()")).toBe(false);
    expect(isValidSelector("has()")).toBe(false);
    expect(isValidSelector("has( )")).toBe(false);
  });

  it("recognises word operators only directly after a label, at a word boundary", () => {
    expect(parseSelector('a in{"x"}').matches({ a: "x" })).toBe(true);
    expect(parseSelector('a contains"x"').matches({ a: "axb" })).toBe(true);
    expect(parseSelector('a startswith "x"').toString()).toBe('a starts with "x"');
    expect(parseSelector('a endswith "x"').toString()).toBe('a ends with "x"');
    expect(parseSelector('a notin {"x"}').toString()).toBe('a not in {"x"}');
    expect(parseSelector('a not \t in {"x"}').toString()).toBe('a not in {"x"}');
    expect(parseSelector('a starts  \twith "x"').toString()).toBe('a starts with "x"');
    expect(isValidSelector('a inf "x"')).toBe(false);
    expect(isValidSelector('a containsx "x"')).toBe(false);
    expect(isValidSelector('a NOT IN {"x"}')).toBe(false);
    expect(isValidSelector('a IN {"x"}')).toBe(false);
    expect(isValidSelector('a Contains "x"')).toBe(false);
    // Elsewhere the words are ordinary labels.
    expect(parseSelector('in == "x"').matches({ in: "x" })).toBe(true);
    expect(parseSelector('has == "x"').matches({ has: "x" })).toBe(true);
    expect(parseSelector('contains contains "contains"').matches({ contains: "xcontainsx" })).toBe(true);
    expect(parseSelector('not in {"a"}').matches({ not: "a" })).toBe(true);
    expect(parseSelector('not in {"a"}').matches({ not: "b" })).toBe(false);
    expect(tokenize("all").map((t) => t.kind)).toEqual(["Label", "EOF"]);
  });

  it("reports the position of lexical errors", () => {
    expect(syntaxError('a == "b" && %').position).toBe(12);
    expect(syntaxError('a == "b').position).toBe(5);
    expect(syntaxError("a = 'b'").position).toBe(2);
    expect(syntaxError('a inf "x"').position).toBe(2);
    expect(syntaxError("has(a").position).toBe(5);
    const e = syntaxError('x == "1"\n');
    expect(e.position).toBe(8);
    expect(e.input).toBe('x == "1"\n');
  });
});

describe("grammar (reference §1.2)", () => {
  it("treats empty and whitespace-only as all()", () => {
    for (const s of ["", " ", "\t \t"]) {
      expect(canon(s)).toBe("all()");
      expect(parseSelector(s).matches({})).toBe(true);
    }
  });

  it("binds ! to one operation and collapses runs of ! by parity", () => {
    expect(canon('!a == "x" && b == "y"')).toBe('(!a == "x" && b == "y")');
    expect(canon("!!!has(a)")).toBe("!has(a)");
    expect(canon("!!has(a)")).toBe("has(a)");
    expect(canon("! ! ! ! has(a)")).toBe("has(a)");
    expect(canon("!(!has(a))")).toBe("!!has(a)");
    expect(canon('!(a == "x" || b == "y")')).toBe('!(a == "x" || b == "y")');
  });

  it("gives && precedence over || and keeps nested groups", () => {
    expect(canon('a == "1" || b == "2" && c == "3"')).toBe('(a == "1" || (b == "2" && c == "3"))');
    expect(canon('a == "1" && b == "2" || c == "3"')).toBe('((a == "1" && b == "2") || c == "3")');
    expect(canon('a == "x" || (b == "y" || c == "z")')).toBe('(a == "x" || (b == "y" || c == "z"))');
    expect(canon('a == "x" && b == "y" && c == "z"')).toBe('(a == "x" && b == "y" && c == "z")');
    expect(canon('((a == "x"))')).toBe('a == "x"');
  });

  it("accepts empty sets and trailing commas, rejects malformed sets", () => {
    expect(canon("a in {}")).toBe("a in {}");
    expect(canon('a in {"x",}')).toBe('a in {"x"}');
    expect(canon('a not in {"y", "x", "y",}')).toBe('a not in {"x", "y"}');
    for (const s of ['a in {"x" "y"}', "a in {a}", "a in {,}", 'a in {"x",,}', 'a in "x"', 'a in {"x"']) {
      expect(isValidSelector(s)).toBe(false);
    }
  });

  it("sorts set elements by UTF-8 byte order, not UTF-16", () => {
    // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (F0 9F 98 80), although in UTF-16 the
    // surrogate 0xD83D is smaller than 0xFF5E.
    expect(canon('a in {"\u{1F600}", "\uFF5E", "é", "z", "Z", ""}')).toBe(
      'a in {"", "Z", "z", "é", "\uFF5E", "\u{1F600}"}',
    );
  });

  it("requires a string literal on the right-hand side and nothing left over", () => {
    for (const s of ["a == b", "'b' == a", "b", '(a == "x"))', 'a == "x" b == "y"', "a ==", 'a == "x" &&', "!", "()"]) {
      expect(isValidSelector(s)).toBe(false);
    }
    expect(syntaxError('(a == "x"))').position).toBe(10);
    expect(syntaxError('a == "x" b == "y"').message).toMatch(/expected .*found label "b"/);
  });
});

describe("evaluation (reference §1.3)", () => {
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ["all()", {}, true],
    ["global()", {}, true],
    ["!all()", { a: "b" }, false],
    ["has(k)", { k: "" }, true],
    ["has(k)", {}, false],
    ['k == ""', { k: "" }, true],
    ['k == ""', {}, false],
    ['k == "v"', { k: "V" }, false],
    ['k != "v"', {}, true],
    ['k != "v"', { k: "v" }, false],
    ['k != "v"', { k: "w" }, true],
    ["k in {}", { k: "" }, false],
    ['k in {"a","b"}', { k: "b" }, true],
    ['k in {"a","b"}', {}, false],
    ["k not in {}", {}, true],
    ["k not in {}", { k: "x" }, true],
    ['k not in {"a"}', {}, true],
    ['k not in {"a"}', { k: "a" }, false],
    ['k contains ""', { k: "" }, true],
    ['k contains ""', {}, false],
    ['k contains "b"', { k: "abc" }, true],
    ['k starts with "ab"', { k: "abc" }, true],
    ['k starts with "bc"', { k: "abc" }, false],
    ['k ends with "bc"', { k: "abc" }, true],
    ['k ends with "ab"', { k: "abc" }, false],
    ['k starts with "x"', {}, false],
    ['k ends with "x"', {}, false],
    ['!k == "v"', {}, true],
    ['!k in {"v"}', {}, true],
    ['!(k == "v")', { k: "w" }, true],
    ["!has(k)", {}, true],
    // Inherited Object.prototype members are not labels.
    ["has(constructor)", {}, false],
    ['toString != "x"', {}, true],
    ["has(__proto__)", {}, false],
  ];
  for (const [sel, labels, expected] of cases) {
    it(`${sel} on ${JSON.stringify(labels)} is ${expected}`, () => {
      const s = parseSelector(sel);
      for (let i = 0; i < 6; i++) expect(s.matches(labels)).toBe(expected);
    });
  }

  it("works on null-prototype label maps", () => {
    const labels = Object.assign(Object.create(null) as Record<string, string>, { a: "b" });
    expect(parseSelector('a == "b" && !has(c)').matches(labels)).toBe(true);
  });
});

describe("uid", () => {
  it("is s: + base64url(sha224(s: + canonical)) and identical for equivalent text", () => {
    expect(parseSelector("all()").uid()).toBe("s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug");
    expect(parseSelector('a in {"b","a"}').uid()).toBe(parseSelector("a  in {'a', 'b', 'a'}").uid());
    expect(parseSelector('a == "b"').uid()).not.toBe(parseSelector('a == "c"').uid());
  });

  it("sha224 agrees with node:crypto on many inputs, including multi-block and non-ASCII", () => {
    for (let len = 0; len < 200; len++) {
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) bytes[i] = (i * 31 + len * 7) & 0xff;
      const expected = createHash("sha224").update(bytes).digest();
      expect(Buffer.from(sha224(bytes)).equals(expected)).toBe(true);
      expect(base64UrlNoPad(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
    }
  });
});

describe("byte order", () => {
  it("matches Buffer.compare on UTF-8", () => {
    const words = [
      "",
      "a",
      "Z",
      "é",
      "\uFFFD",
      "\uE000",
      "\uFF5E",
      "\u{1F600}",
      "\u{10000}",
      "a\u{1F600}",
      "a\uFFFF",
      "aa",
    ];
    for (const x of words) {
      for (const y of words) {
        expect(Math.sign(compareBytes(x, y))).toBe(Math.sign(Buffer.compare(Buffer.from(x), Buffer.from(y))));
      }
    }
    expect(sortedUnique(["b", "a", "b"])).toEqual(["a", "b"]);
  });
});

describe("combinators (reference §1.6)", () => {
  it("ALL and NONE", () => {
    expect(ALL.toString()).toBe("all()");
    expect(NONE.toString()).toBe("!all()");
    expect(ALL.matches({})).toBe(true);
    expect(NONE.matches({ a: "b" })).toBe(false);
    expect(NONE.uid()).toBe(parseSelector("!all()").uid());
  });

  it("andSelectors prints as Calico prints (<sel>) && <ns>", () => {
    const sel = parseSelector('app == "web" || tier == "db"');
    const ns = parseSelector("projectcalico.org/namespace == 'prod'");
    const eff = andSelectors(sel, ns);
    const textual = parseSelector(`(${sel.toString()}) && projectcalico.org/namespace == 'prod'`);
    expect(eff.toString()).toBe(textual.toString());
    expect(eff.toString()).toBe('((app == "web" || tier == "db") && projectcalico.org/namespace == "prod")');
    expect(eff.uid()).toBe(textual.uid());
    // An AND operand stays nested, as it would after re-parsing "(a && b) && c".
    const and2 = andSelectors(parseSelector('a == "1" && b == "2"'), ns);
    expect(and2.toString()).toBe(
      parseSelector(`(a == "1" && b == "2") && projectcalico.org/namespace == 'prod'`).toString(),
    );
    expect(andSelectors(ALL, ns).toString()).toBe('(all() && projectcalico.org/namespace == "prod")');
    expect(andSelectors().toString()).toBe("all()");
    expect(andSelectors(ns)).toBe(ns);
    expect(eff.matches({ app: "web", "projectcalico.org/namespace": "prod" })).toBe(true);
    expect(eff.matches({ app: "web", "projectcalico.org/namespace": "dev" })).toBe(false);
  });

  it("prefixLabels prefixes every label and leaves all()/global() alone", () => {
    const out = prefixLabels(parseSelector('a == "x" && !has(b) || all() || global() || c not in {"y"}'), "pcns.");
    expect(out.toString()).toBe('((pcns.a == "x" && !has(pcns.b)) || all() || global() || pcns.c not in {"y"})');
    expect(() => prefixLabels(ALL, "bad prefix")).toThrow(SelectorSyntaxError);
  });

  it("replaceAll substitutes all() like Calico's textual replacement on canonical text", () => {
    const hasNs = selectorHas("projectcalico.org/namespace");
    const notNs = parseSelector("!has(projectcalico.org/namespace)");
    const textual = (s: string, r: string) =>
      parseSelector(parseSelector(s).toString().split("all()").join(r)).toString();
    for (const s of ["all()", "", "!all()", 'all() && a == "b"', '!(all() || a == "b")', "!(all())", 'a == "x"']) {
      expect(replaceAll(parseSelector(s), hasNs).toString()).toBe(textual(s, hasNs.toString()));
      expect(replaceAll(parseSelector(s), notNs).toString()).toBe(textual(s, notNs.toString()));
    }
    // Unlike upstream, string literals containing all() are left alone.
    expect(replaceAll(parseSelector('a == "all()"'), hasNs).toString()).toBe('a == "all()"');
    const compound = parseSelector('has(x) && y == "z"');
    expect(replaceAll(parseSelector('all() || a == "b"'), compound).toString()).toBe(
      textual('all() || a == "b"', compound.toString()),
    );
  });

  it("selectorEq and selectorHas validate their input", () => {
    expect(selectorEq("projectcalico.org/namespace", "prod").toString()).toBe('projectcalico.org/namespace == "prod"');
    expect(selectorEq("k", 'say "hi"').toString()).toBe(`k == 'say "hi"'`);
    expect(selectorHas("k").toString()).toBe("has(k)");
    expect(() => selectorEq("bad key", "v")).toThrow(SelectorSyntaxError);
    expect(() => selectorEq("", "v")).toThrow(SelectorSyntaxError);
    expect(() => selectorEq("k", `it's "x"`)).toThrow(SelectorSyntaxError);
    expect(() => selectorHas("k".repeat(513))).toThrow(SelectorSyntaxError);
  });

  it("labelRestrictions returns a fresh copy each time", () => {
    const sel = parseSelector('a == "x"');
    const first = sel.labelRestrictions()!;
    first.delete("a");
    expect(sel.labelRestrictions()!.has("a")).toBe(true);
  });
});

describe("robustness", () => {
  it("bounds parenthesis nesting with a SelectorSyntaxError instead of a stack overflow", () => {
    const ok = "(".repeat(200) + 'a == "b"' + ")".repeat(200);
    expect(parseSelector(ok).toString()).toBe('a == "b"');
    const deep = "(".repeat(201) + 'a == "b"' + ")".repeat(201);
    expect(syntaxError(deep).message).toMatch(/nested parentheses/);
    expect(syntaxError("(".repeat(100_000)).position).toBe(200);
    expect(parseSelector("!".repeat(100_001) + "has(a)").toString()).toBe("!has(a)");
  });
});
