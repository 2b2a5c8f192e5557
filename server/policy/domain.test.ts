import { describe, expect, it } from "vitest";
import { DomainPatternError, normaliseDomainName, parseDomainPattern } from "./domain";

function rejects(text: string): DomainPatternError {
  try {
    parseDomainPattern(text);
  } catch (err) {
    expect(err).toBeInstanceOf(DomainPatternError);
    return err as DomainPatternError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe("parseDomainPattern syntax (reference §5)", () => {
  it("accepts exact names and lower-cases them", () => {
    const p = parseDomainPattern("API.Stripe.COM");
    expect(p.text).toBe("api.stripe.com");
    expect(p.wildcard).toBe(false);
    for (const ok of ["com", "a-b.c0", "0.example", "x".repeat(63) + ".com"])
      expect(parseDomainPattern(ok).text).toBe(ok);
  });

  it("accepts one whole-label wildcard, leading or interior", () => {
    expect(parseDomainPattern("*.amazonaws.com")).toMatchObject({ text: "*.amazonaws.com", wildcard: true });
    expect(parseDomainPattern("update.*.tigera.io")).toMatchObject({ text: "update.*.tigera.io", wildcard: true });
    expect(parseDomainPattern("*.com").wildcard).toBe(true);
    expect(parseDomainPattern("*.COM").text).toBe("*.com");
  });

  it("rejects a trailing dot", () => {
    expect(rejects("example.com.").message).toMatch(/trailing dot/);
    expect(rejects("*.example.com.").message).toMatch(/trailing dot/);
  });

  it("rejects a trailing wildcard, * alone, several wildcards and partial wildcards", () => {
    expect(rejects("www.google.*").message).toMatch(/trailing wildcard/);
    expect(rejects("*").message).toMatch(/wildcard/);
    expect(rejects("*.*.x").message).toMatch(/at most one/);
    expect(rejects("a.*.*.b").message).toMatch(/at most one/);
    expect(rejects("www.g*.com").message).toMatch(/whole label/);
    expect(rejects("*google.com").message).toMatch(/whole label/);
    expect(rejects("google*.com").message).toMatch(/whole label/);
  });

  it("rejects invalid DNS-1123 names and regular expressions", () => {
    for (const bad of [
      "",
      ".",
      ".com",
      "a..b",
      "-a.com",
      "a-.com",
      "a_b.com",
      "exa mple.com",
      "^api\\.x\\.com$",
      "api.x.com|y",
      "é.com",
      "x".repeat(64) + ".com",
      ("a".repeat(60) + ".").repeat(4) + "abcdefghijklmnopq",
      "*..com",
      "a.*-b.com",
    ]) {
      expect(rejects(bad).input).toBe(bad);
    }
  });
});

describe("matching (reference §5, pitfall 15)", () => {
  it("matches exact names only against themselves, case-insensitively", () => {
    const p = parseDomainPattern("example.com");
    expect(p.matches("example.com")).toBe(true);
    expect(p.matches("EXAMPLE.Com")).toBe(true);
    expect(p.matches("www.example.com")).toBe(false);
    expect(p.matches("example.co")).toBe(false);
  });

  it("tolerates one trailing dot on the observed (FQDN) name", () => {
    expect(parseDomainPattern("example.com").matches("example.com.")).toBe(true);
    expect(parseDomainPattern("*.example.com").matches("www.example.com.")).toBe(true);
    expect(parseDomainPattern("example.com").matches("example.com..")).toBe(false);
  });

  it("lets a leading * match one or more whole labels, never the bare parent", () => {
    const p = parseDomainPattern("*.google.com");
    expect(p.matches("www.google.com")).toBe(true);
    expect(p.matches("a.b.google.com")).toBe(true);
    expect(p.matches("WWW.GOOGLE.COM")).toBe(true);
    expect(p.matches("google.com")).toBe(false);
    expect(p.matches("ipv6google.com")).toBe(false);
    expect(p.matches(".google.com")).toBe(false);
    expect(p.matches("www.google.com.au")).toBe(false);
    const com = parseDomainPattern("*.com");
    expect(com.matches("google.com")).toBe(true);
    expect(com.matches("com")).toBe(false);
  });

  it("lets an interior * match one or more whole labels", () => {
    const p = parseDomainPattern("update.*.tigera.io");
    expect(p.matches("update.x.tigera.io")).toBe(true);
    expect(p.matches("update.x.y.tigera.io")).toBe(true);
    expect(p.matches("update.tigera.io")).toBe(false);
    expect(p.matches("update..tigera.io")).toBe(false);
    expect(p.matches("xupdate.x.tigera.io")).toBe(false);
    expect(p.matches("update.x.tigera.iox")).toBe(false);
    expect(p.matches("update.x.xtigera.io")).toBe(false);
  });

  it("normaliseDomainName lower-cases and drops one trailing dot", () => {
    expect(normaliseDomainName("WWW.Example.COM.")).toBe("www.example.com");
    expect(normaliseDomainName("a.b")).toBe("a.b");
  });
});
