import { describe, expect, it } from "vitest";
import { parseDomainPattern, DomainPatternError } from "./domain";
import { domainExamples } from "./domain-examples";

describe("domainExamples", () => {
  it("leading wildcard: one or more labels match, the bare suffix and glued labels do not", () => {
    const ex = domainExamples("*.example.com");
    expect(ex.pattern).toBe("*.example.com");
    expect(ex.matches).toContain("a.example.com");
    expect(ex.matches).toContain("b.c.example.com");
    expect(ex.nonMatches).toContain("example.com");
    expect(ex.nonMatches).toContain("aexample.com");
  });

  it("interior wildcard", () => {
    const ex = domainExamples("update.*.tigera.io");
    expect(ex.matches).toEqual(expect.arrayContaining(["update.a.tigera.io", "update.b.c.tigera.io"]));
    expect(ex.nonMatches).toEqual(expect.arrayContaining(["update.tigera.io", "x.update.a.tigera.io"]));
  });

  it("exact names match themselves (case-insensitively) and not their sub- or parent domains", () => {
    const ex = domainExamples("API.Stripe.com");
    expect(ex.pattern).toBe("api.stripe.com");
    expect(ex.matches).toEqual(["api.stripe.com", "API.STRIPE.COM"]);
    expect(ex.nonMatches).toEqual(expect.arrayContaining(["www.api.stripe.com", "stripe.com"]));
  });

  it("every example agrees with the engine's matcher, for many patterns", () => {
    for (const text of ["*.com", "a.*.b", "x-y.z", "*.s3.eu-west-1.amazonaws.com", "com", "a.b.c.d.*.e"]) {
      const p = parseDomainPattern(text);
      const ex = domainExamples(text, 10);
      expect(ex.matches.length, text).toBeGreaterThan(0);
      expect(ex.nonMatches.length, text).toBeGreaterThan(0);
      for (const m of ex.matches) expect(p.matches(m), `${text} ~ ${m}`).toBe(true);
      for (const m of ex.nonMatches) expect(p.matches(m), `${text} !~ ${m}`).toBe(false);
    }
  });

  it("honours the limit", () => {
    const ex = domainExamples("*.example.com", 1);
    expect(ex.matches).toHaveLength(1);
    expect(ex.nonMatches).toHaveLength(1);
  });

  it("throws the engine's error for an invalid pattern", () => {
    expect(() => domainExamples("www.example.*")).toThrow(DomainPatternError);
    expect(() => domainExamples("")).toThrow(DomainPatternError);
  });
});
