import dnsPacket, { type Answer } from "dns-packet";
import { describe, expect, it } from "vitest";
import { canonicalIp, extractLearned, MAX_CNAME_CHAIN } from "./answer";

function response(qname: string, answers: Answer[], qtype: "A" | "AAAA" = "A") {
  // Round-trip through the wire format, as the proxy sees answers.
  return dnsPacket.decode(dnsPacket.encode({ type: "response", id: 1, questions: [{ type: qtype, name: qname }], answers }));
}

describe("extractLearned", () => {
  it("maps the question name to its addresses, normalised and de-duplicated", () => {
    const r = response("API.Example.Test", [
      { type: "A", name: "api.example.test", ttl: 60, data: "192.0.2.1" },
      { type: "A", name: "API.EXAMPLE.TEST.", ttl: 90, data: "192.0.2.1" },
      { type: "A", name: "api.example.test", ttl: 60, data: "192.0.2.2" },
    ]);
    expect(extractLearned(r, "10.0.0.1")).toEqual({
      clientIp: "10.0.0.1",
      names: ["api.example.test"],
      addresses: [
        { ip: "192.0.2.1", family: 4, ttl: 90 },
        { ip: "192.0.2.2", family: 4, ttl: 60 },
      ],
    });
  });

  it("follows a CNAME chain to the final addresses with the chain's minimum TTL", () => {
    const r = response("www.example.test", [
      { type: "CNAME", name: "www.example.test", ttl: 300, data: "edge.cdn.test" },
      { type: "CNAME", name: "edge.cdn.test", ttl: 20, data: "pop.cdn.test" },
      { type: "AAAA", name: "pop.cdn.test", ttl: 60, data: "2001:db8:0:0::10" },
    ], "AAAA");
    expect(extractLearned(r, "fd00::1")).toEqual({
      clientIp: "fd00::1",
      names: ["www.example.test", "edge.cdn.test", "pop.cdn.test"],
      addresses: [{ ip: "2001:db8::10", family: 6, ttl: 20 }],
    });
  });

  it("ignores records not reachable from the question (injected owners)", () => {
    const r = response("a.example.test", [
      { type: "A", name: "evil.test", ttl: 60, data: "203.0.113.1" },
      { type: "CNAME", name: "other.test", ttl: 60, data: "a.example.test" },
      { type: "A", name: "a.example.test", ttl: 60, data: "192.0.2.1" },
    ]);
    expect(extractLearned(r, "10.0.0.1")!.addresses.map((a) => a.ip)).toEqual(["192.0.2.1"]);
    expect(extractLearned(r, "10.0.0.1")!.names).toEqual(["a.example.test"]);
  });

  it("returns undefined without addresses: NXDOMAIN, dangling chains, loops", () => {
    expect(extractLearned(response("a.test", []), "10.0.0.1")).toBeUndefined();
    expect(extractLearned(response("a.test", [{ type: "CNAME", name: "a.test", ttl: 5, data: "b.test" }]), "10.0.0.1")).toBeUndefined();
    const loop = response("a.test", [
      { type: "CNAME", name: "a.test", ttl: 5, data: "b.test" },
      { type: "CNAME", name: "b.test", ttl: 5, data: "a.test" },
      { type: "A", name: "a.test", ttl: 5, data: "192.0.2.1" },
    ]);
    expect(extractLearned(loop, "10.0.0.1")).toBeUndefined();
  });

  it("stops following chains longer than the limit", () => {
    const chain: Answer[] = Array.from({ length: MAX_CNAME_CHAIN + 5 }, (_, i) => ({ type: "CNAME", name: `n${i}.test`, ttl: 5, data: `n${i + 1}.test` }));
    chain.push({ type: "A", name: `n${MAX_CNAME_CHAIN + 5}.test`, ttl: 5, data: "192.0.2.1" });
    expect(extractLearned(response("n0.test", chain), "10.0.0.1")).toBeUndefined();
  });

  it("canonicalises IP text", () => {
    expect(canonicalIp("::ffff:10.0.0.1")).toBe("10.0.0.1");
    expect(canonicalIp("FD00:0:0::0001")).toBe("fd00::1");
    expect(canonicalIp("192.0.2.1")).toBe("192.0.2.1");
  });
});
