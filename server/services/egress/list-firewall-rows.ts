import type { RequestContext } from "../../auth/actor";
import { csvField } from "../csv";
import { getEgressView } from "./get-egress-view";

export const FIREWALL_SORTS = ["namespace", "ip", "pool", "change"] as const;
export const FIREWALL_STATUSES = ["all", "ok", "no-gateway", "unknown"] as const;

export interface FirewallQuery {
  /** Rows whose namespace, assignment, IP, pool, destinations or gateway node contain this text. */
  q?: string;
  status?: (typeof FIREWALL_STATUSES)[number];
  sort?: (typeof FIREWALL_SORTS)[number];
  dir?: "asc" | "desc";
  page?: number;
  pageSize?: number;
}

/** One row of the network team's firewall view, exactly as exported. */
export interface FirewallRow {
  namespace: string;
  assignment: string;
  egressIp: string;
  pool: string;
  destinations: string;
  gatewayNode: string;
  status: "ok" | "no-gateway" | "unknown";
  lastChangeRevision: number;
  lastChangeAt: string;
  lastChangeBy: string;
}

function ipOrder(ip: string): number {
  const p = ip.split(".").map(Number);
  return p.length === 4 ? ((p[0]! * 256 + p[1]!) * 256 + p[2]!) * 256 + p[3]! : Number.MAX_SAFE_INTEGER;
}

/**
 * The firewall view: namespace → egress IP, pool, destinations, gateway node and last change,
 * filtered and sorted on the server; one page, or (`all`) every matching row for an export.
 */
export async function listFirewallRows(ctx: RequestContext, clusterName: string, input: FirewallQuery & { all?: boolean }) {
  const view = await getEgressView(ctx, clusterName);
  const rows: FirewallRow[] = view.assignments.map((a) => ({
    namespace: a.namespace,
    assignment: a.name,
    egressIp: a.ip ?? "",
    pool: a.pool,
    destinations: a.destinations.join(" "),
    gatewayNode: a.holder ?? "",
    status: a.status,
    lastChangeRevision: a.lastChange.revision,
    lastChangeAt: a.lastChange.at ?? "",
    lastChangeBy: a.lastChange.by ?? "",
  }));
  const needle = input.q?.trim().toLowerCase();
  const matching = rows.filter(
    (r) =>
      (!input.status || input.status === "all" || r.status === input.status) &&
      (!needle || [r.namespace, r.assignment, r.egressIp, r.pool, r.destinations, r.gatewayNode].some((f) => f.toLowerCase().includes(needle))),
  );
  const byName = (a: FirewallRow, b: FirewallRow) => a.namespace.localeCompare(b.namespace) || a.assignment.localeCompare(b.assignment);
  const cmp: Record<(typeof FIREWALL_SORTS)[number], (a: FirewallRow, b: FirewallRow) => number> = {
    namespace: byName,
    ip: (a, b) => ipOrder(a.egressIp) - ipOrder(b.egressIp) || byName(a, b),
    pool: (a, b) => a.pool.localeCompare(b.pool) || byName(a, b),
    change: (a, b) => a.lastChangeRevision - b.lastChangeRevision || byName(a, b),
  };
  const sign = input.dir === "desc" ? -1 : 1;
  const sortBy = cmp[input.sort ?? "namespace"];
  matching.sort((a, b) => sign * sortBy(a, b));
  const pageSize = input.pageSize ?? 50;
  const page = input.page ?? 1;
  return {
    cluster: view.cluster,
    total: matching.length,
    page: input.all ? 1 : page,
    pageSize: input.all ? matching.length : pageSize,
    items: input.all ? matching : matching.slice((page - 1) * pageSize, page * pageSize),
  };
}

/** CSV of firewall rows (RFC 4180 quoting), with a header line. */
export function firewallCsv(rows: readonly FirewallRow[]): string {
  const cols: Array<keyof FirewallRow> = ["namespace", "assignment", "egressIp", "pool", "destinations", "gatewayNode", "status", "lastChangeRevision", "lastChangeAt", "lastChangeBy"];
  return [cols.join(","), ...rows.map((r) => cols.map((c) => csvField(r[c])).join(","))].join("\n") + "\n";
}
