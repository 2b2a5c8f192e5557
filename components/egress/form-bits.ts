import type { ApiError } from "../api";
import { parseCidr } from "@/server/policy/cidr";
import { ipv4ToNumber, rangesContain, usablePoolRanges } from "@/server/policy/egress-space";
import type { ResourceIssue } from "@/server/policy/resources";
import type { FreeIps } from "./keys";

/** Entries of a list typed one per line (commas and spaces separate too). */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Form field for a resource path such as ["spec", "cidrs", 1] (first segment after `spec`/`metadata`). */
export type FieldOf<F extends string> = (path: ReadonlyArray<string | number>) => F;

/**
 * Engine issues (from parseResource in the browser, or the server's `changes[0].document.…`
 * field errors) as one message per form field; list items are named by their line.
 */
export function messagesByField<F extends string>(issues: ReadonlyArray<ResourceIssue>, fieldOf: FieldOf<F>): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {};
  for (const i of issues) {
    const f = fieldOf(i.path);
    const index = i.path.find((p) => typeof p === "number");
    const msg = typeof index === "number" ? `line ${index + 1}: ${i.message}` : i.message;
    out[f] = out[f] ? `${out[f]}; ${msg}` : msg;
  }
  return out;
}

/** `changes[0].document.spec.cidrs[1]` → ["spec", "cidrs", 1]. */
export function serverIssues(err: ApiError): ResourceIssue[] {
  return err.errors.map((e) => {
    const inner = e.path.replace(/^changes\[\d+\]\.?/, "").replace(/^document\.?/, "");
    const path: Array<string | number> = [];
    for (const m of inner.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) path.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
    return { path, message: e.message };
  });
}

/** Why `text` cannot be this assignment's egress IP (null when it is free), with who holds it. */
export function ipProblem(text: string, free: Pick<FreeIps, "pool" | "assigned"> | undefined): string | null {
  const n = ipv4ToNumber(text);
  if (n === null) return `"${text}" is not an IPv4 address`;
  if (!free) return null;
  const ip = text.trim();
  const holder = free.assigned.find((a) => ipv4ToNumber(a.ip) === n);
  if (holder) {
    return `${ip} is assigned to namespace ${holder.namespace}/${holder.name}${holder.inDraft ? " in your draft" : ""}${holder.requested ? "" : " (allocated automatically)"}`;
  }
  const inside = free.pool.cidrs.some((c) => {
    try {
      const p = parseCidr(c, { strict: false });
      return p.family === 4 && Number(p.start) <= n && n <= Number(p.end);
    } catch {
      return false;
    }
  });
  if (!inside) return `${ip} is not inside pool ${free.pool.name} (${free.pool.cidrs.join(", ")})`;
  if (!rangesContain(usablePoolRanges({ cidrs: free.pool.cidrs }), n)) return `${ip} is the network or broadcast address of the pool's range`;
  if (!rangesContain(usablePoolRanges(free.pool), n)) return `${ip} is excluded from pool ${free.pool.name}`;
  return null;
}

