import { describe, expect, it } from "vitest";
import { parseSelector } from "@/server/policy/selector/index";
import { applyCompletion, completionContext, suggest } from "./autocomplete";
import type { Vocabulary } from "./preview";

const vocab: Vocabulary = {
  keys: [
    { key: "app", count: 10 },
    { key: "app.kubernetes.io/name", count: 8 },
    { key: "tier", count: 5 },
    { key: "pcns.team", count: 3 },
  ],
  values: new Map([
    ["app", [{ value: "web", count: 6 }, { value: "api", count: 3 }, { value: "webhook", count: 1 }]],
    ["tier", [{ value: "frontend", count: 5 }]],
  ]),
};

function complete(textWithCaret: string, pick = 0): string {
  const caret = textWithCaret.indexOf("|");
  const text = textWithCaret.replace("|", "");
  const ctx = completionContext(text, caret);
  if (!ctx) throw new Error("no context");
  const c = suggest(vocab, ctx, text)[pick];
  if (!c) throw new Error("no suggestion");
  const r = applyCompletion(text, ctx, c);
  return r.text.slice(0, r.caret) + "|" + r.text.slice(r.caret);
}

describe("completion context", () => {
  it("finds keys at the start, after operators, parentheses and inside has()", () => {
    expect(completionContext("ap", 2)).toMatchObject({ kind: "key", partial: "ap", from: 0, to: 2 });
    expect(completionContext("app == 'x' && ti", 16)).toMatchObject({ kind: "key", partial: "ti", from: 14 });
    expect(completionContext("has(ap", 6)).toMatchObject({ kind: "key", partial: "ap", from: 4 });
    expect(completionContext("!(ap", 4)).toMatchObject({ kind: "key", partial: "ap" });
    expect(completionContext("", 0)).toMatchObject({ kind: "key", partial: "" });
  });

  it("finds values after an operator, quoted or not, and inside sets", () => {
    expect(completionContext("app == 'w", 9)).toMatchObject({ kind: "value", key: "app", partial: "w", quote: "'", from: 8 });
    expect(completionContext('app != "', 8)).toMatchObject({ kind: "value", key: "app", partial: "", quote: '"' });
    expect(completionContext("app == ", 7)).toMatchObject({ kind: "value", key: "app", quote: null });
    expect(completionContext("app starts with 'w", 18)).toMatchObject({ kind: "value", key: "app", partial: "w" });
    expect(completionContext("app in {'web', 'a", 17)).toMatchObject({ kind: "value", key: "app", partial: "a" });
    expect(completionContext("app not in {", 12)).toMatchObject({ kind: "value", key: "app", quote: null });
  });

  it("nothing inside a string that is not a value position, and nothing for keywords", () => {
    expect(completionContext("app == 'x' && 'ab", 17)).toBeNull();
    expect(completionContext("has(x)", 3)).toBeNull();
  });
});

describe("suggestions", () => {
  it("keys by prefix first, then by word start", () => {
    const ctx = completionContext("name", 4)!;
    expect(suggest(vocab, ctx, "name").map((c) => c.label)).toEqual(["app.kubernetes.io/name"]);
    const app = completionContext("ap", 2)!;
    expect(suggest(vocab, app, "ap").map((c) => c.label)).toEqual(["app", "app.kubernetes.io/name"]);
  });

  it("values of the key, most frequent first", () => {
    const ctx = completionContext("app == 'we", 10)!;
    expect(suggest(vocab, ctx, "app == 'we").map((c) => c.label)).toEqual(["web", "webhook"]);
  });

  it("a key with 100 000 values: prefix matches first, most frequent first", () => {
    const many: Vocabulary = {
      keys: [{ key: "pod", count: 100_000 }],
      values: new Map([["pod", Array.from({ length: 100_000 }, (_, i) => ({ value: i % 2 ? `x-web-${i}` : `web-${i}`, count: 1 }))]]),
    };
    const ctx = completionContext("pod == 'web", 11)!;
    const out = suggest(many, ctx, "pod == 'web");
    expect(out.map((c) => c.label)).toEqual(Array.from({ length: 12 }, (_, i) => `web-${i * 2}`));
    expect(suggest(many, completionContext("pod == 'x-web-99999", 19)!, "pod == 'x-web-99999").map((c) => c.label)).toEqual(["x-web-99999"]);
  });

  it("accepting a key or value produces a valid selector", () => {
    expect(complete("ti|")).toBe("tier|");
    expect(complete("app == 'w|")).toBe("app == 'web'|");
    expect(complete("app == 'w|' && tier == 'frontend'")).toBe("app == 'web'| && tier == 'frontend'");
    expect(complete("app == |")).toBe("app == 'web'|");
    expect(complete("app in {'web', '|", 1)).toBe("app in {'web', 'api'|");
    expect(complete("x == 'a' && has(ap|)")).toBe("x == 'a' && has(app|)");
    expect(() => parseSelector(complete("app == 'w|").replace("|", ""))).not.toThrow();
  });
});
