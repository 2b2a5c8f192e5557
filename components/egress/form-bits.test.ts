import { describe, expect, it } from "vitest";
import { ApiError } from "../api";
import { ipProblem, messagesByField, serverIssues, splitList } from "./form-bits";

const pool = { name: "partners", cidrs: ["198.51.100.0/28"], exclude: ["198.51.100.1"], gatewayNodeSelector: "all()", description: "", inDraft: false };
const assigned = [
  { ip: "198.51.100.10", namespace: "shop", name: "egress-main", pool: "partners", requested: true, inDraft: false },
  { ip: "198.51.100.2", namespace: "payments", name: "gw", pool: "partners", requested: true, inDraft: true },
  { ip: "198.51.100.3", namespace: "analytics", name: "gw", pool: "partners", requested: false, inDraft: false },
];

describe("the egress IP check as you type", () => {
  it("names who holds a taken address, published, drafted or allocated", () => {
    expect(ipProblem("198.51.100.10", { pool, assigned })).toBe("198.51.100.10 is assigned to namespace shop/egress-main");
    expect(ipProblem("198.51.100.2", { pool, assigned })).toBe("198.51.100.2 is assigned to namespace payments/gw in your draft");
    expect(ipProblem("198.51.100.3", { pool, assigned })).toBe("198.51.100.3 is assigned to namespace analytics/gw (allocated automatically)");
  });

  it("refuses addresses outside the pool, excluded, or its network and broadcast address; accepts a free one", () => {
    expect(ipProblem("198.51.100.99", { pool, assigned })).toBe("198.51.100.99 is not inside pool partners (198.51.100.0/28)");
    expect(ipProblem("198.51.100.1", { pool, assigned })).toBe("198.51.100.1 is excluded from pool partners");
    expect(ipProblem("198.51.100.15", { pool, assigned })).toBe("198.51.100.15 is the network or broadcast address of the pool's range");
    expect(ipProblem("198.51.100.0", { pool, assigned })).toBe("198.51.100.0 is the network or broadcast address of the pool's range");
    expect(ipProblem("2001:db8::1", { pool, assigned })).toBe('"2001:db8::1" is not an IPv4 address');
    expect(ipProblem("198.51.100.4", { pool, assigned })).toBeNull();
  });
});

describe("form errors", () => {
  it("maps the server's change paths and the engine's issues to form fields, naming list lines", () => {
    const err = new ApiError(422, "validation_failed", "x", [
      { path: "changes[0].document.spec.cidrs[1]", message: "not a CIDR" },
      { path: "changes[0].document.spec.ip", message: "egress ip 198.51.100.10 is already assigned by EgressAssignment shop/egress-main" },
    ]);
    const issues = serverIssues(err);
    expect(issues.map((i) => i.path)).toEqual([["spec", "cidrs", 1], ["spec", "ip"]]);
    const byField = messagesByField(issues, (p) => String(p[1]));
    expect(byField).toEqual({ cidrs: "line 2: not a CIDR", ip: "egress ip 198.51.100.10 is already assigned by EgressAssignment shop/egress-main" });
    expect(splitList(" 198.51.100.0/28,\n\n192.0.2.0/24  10.0.0.1 ")).toEqual(["198.51.100.0/28", "192.0.2.0/24", "10.0.0.1"]);
  });
});
