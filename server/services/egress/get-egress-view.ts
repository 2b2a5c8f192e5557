import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { parseIp } from "../../policy/cidr";
import { allocateEgressIps, egressAssignmentKey } from "../../policy/egress-allocation";
import { countRanges, usablePoolRanges } from "../../policy/egress-space";
import type { TEgressAssignment, TEgressIPPool } from "../../policy/resources";
import { storedResource } from "../changes/store";
import { authorise } from "../authorise";
import { clusterByName, loadStore } from "../changes/store";

/** What agents report about egress (agents/egress/controller.ts EgressStatus), as stored. */
interface ReportedEgress {
  node?: string;
  ips?: Array<{ ip: string; pool: string; holder: string | null; valid: boolean; since: string | null; servedHere: boolean; transitions: number; history?: Array<{ holder: string | null; at: string }>; gatewayNodes?: string[] }>;
  assignments?: Array<{ namespace: string; name: string; ip: string | null; status: "ok" | "no-gateway"; reason: string | null; gateway: string | null; pods: number }>;
}

/** Agents that reported within this window count as live for the egress view. */
const LIVE_MS = 2 * 60_000;

/**
 * The egress picture of a cluster for the Egress page and the network team's firewall view:
 * pools with utilisation, assignments (namespace → egress IP, destinations, last change), and
 * the live state agents report: which node holds each IP, since when, takeover history, and
 * assignments that have no healthy gateway (their traffic is dropped, never leaked).
 */
export async function getEgressView(ctx: RequestContext, clusterName: string) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const [store, agents, revisions] = await Promise.all([
    loadStore(cluster.id),
    db().agent.findMany({ where: { clusterId: cluster.id, revokedAt: null }, select: { nodeName: true, lastHeartbeatAt: true, report: true } }),
    db().revision.findMany({ where: { clusterId: cluster.id }, select: { number: true, publishedAt: true, publishedByName: true } }),
  ]);
  const revAt = new Map(revisions.map((r) => [r.number, r]));
  const live = [...store.values()].filter((r) => !r.deleted && r.document);
  const pools = live.filter((r) => r.key.kind === "EgressIPPool");
  const assignments = live.filter((r) => r.key.kind === "EgressAssignment");

  const now = Date.now();
  const reports = agents
    .filter((a) => a.lastHeartbeatAt && now - a.lastHeartbeatAt.getTime() < LIVE_MS)
    .map((a) => ({ node: a.nodeName, egress: ((a.report ?? {}) as { egress?: ReportedEgress | null }).egress ?? null }))
    .filter((r): r is { node: string; egress: ReportedEgress } => r.egress !== null);

  // Per IP: the holder's own report wins; otherwise any node's view of the lease.
  const holders = new Map<string, { holder: string | null; valid: boolean; since: string | null; transitions: number; history: Array<{ holder: string | null; at: string; seenBy: string }> }>();
  for (const r of reports) {
    for (const ip of r.egress.ips ?? []) {
      const prev = holders.get(ip.ip);
      const history = [...(prev?.history ?? []), ...(ip.history ?? []).map((h) => ({ ...h, seenBy: r.node }))];
      if (!prev || ip.servedHere || (!prev.valid && ip.valid)) {
        holders.set(ip.ip, { holder: ip.holder, valid: ip.valid, since: ip.since, transitions: ip.transitions, history });
      } else prev.history = history;
    }
  }
  for (const h of holders.values()) {
    const seen = new Set<string>();
    h.history = h.history
      .sort((a, b) => a.at.localeCompare(b.at))
      .filter((x) => {
        const k = `${x.holder}|${x.at.slice(0, 19)}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      })
      .slice(-20);
  }
  const noGateway = new Map<string, string>();
  for (const r of reports) {
    for (const a of r.egress.assignments ?? []) {
      if (a.status === "no-gateway") noGateway.set(`${a.namespace}/${a.name}`, a.reason ?? "no healthy gateway node");
    }
  }

  // The same deterministic allocation the agents program: requested IPs, else the pool's lowest free one.
  const allocation = allocateEgressIps(
    pools.map((r) => storedResource(r.document) as TEgressIPPool),
    assignments.map((r) => storedResource(r.document) as TEgressAssignment),
  );

  const assignmentRows = assignments.map((r) => {
    const spec = (r.document!.spec ?? {}) as { pool?: string; ip?: string; podSelector?: string; destinations?: { nets?: string[]; networkSetSelector?: string } };
    const alloc = allocation.get(egressAssignmentKey(storedResource(r.document) as TEgressAssignment));
    const ip = alloc && "ip" in alloc ? alloc.ip : null;
    const allocationProblem = alloc && "problem" in alloc ? alloc.problem : null;
    const holder = ip ? holders.get(parseIp(ip).text) : undefined;
    const rev = revAt.get(r.revision);
    const problem =
      allocationProblem ??
      noGateway.get(`${r.key.namespace}/${r.key.name}`) ??
      (reports.length > 0 && ip && (!holder || !holder.valid || !holder.holder) ? "no node holds this IP: the namespace's external traffic is dropped" : null);
    return {
      namespace: r.key.namespace,
      name: r.key.name,
      version: r.version,
      pool: spec.pool ?? "",
      ip,
      requested: spec.ip !== undefined,
      spec,
      podSelector: spec.podSelector ?? null,
      destinations: spec.destinations ? [...(spec.destinations.nets ?? []), ...(spec.destinations.networkSetSelector ? [`network sets: ${spec.destinations.networkSetSelector}`] : [])] : ["everything outside the cluster"],
      holder: holder?.valid ? holder.holder : null,
      holderSince: holder?.valid ? holder.since : null,
      status: allocationProblem ? ("no-gateway" as const) : reports.length === 0 ? ("unknown" as const) : problem ? ("no-gateway" as const) : ("ok" as const),
      problem,
      lastChange: { revision: r.revision, at: rev?.publishedAt.toISOString() ?? null, by: rev?.publishedByName ?? null },
    };
  });

  const poolRows = pools.map((r) => {
    const spec = (r.document!.spec ?? {}) as { cidrs?: string[]; exclude?: string[]; gatewayNodeSelector?: string; description?: string };
    const used = assignmentRows.filter((a) => a.pool === r.key.name && a.ip).length;
    // Addresses the allocator can hand out: network and broadcast of prefixes up to /30 and exclusions left out.
    const size = countRanges(usablePoolRanges({ cidrs: spec.cidrs ?? [], exclude: spec.exclude ?? [] }));
    return {
      name: r.key.name,
      version: r.version,
      cidrs: spec.cidrs ?? [],
      exclude: spec.exclude ?? [],
      gatewayNodeSelector: spec.gatewayNodeSelector ?? "all()",
      description: spec.description ?? "",
      size,
      used,
    };
  });

  const ips = [...holders.entries()].map(([ip, h]) => ({ ip, ...h })).sort((a, b) => a.ip.localeCompare(b.ip));
  return {
    cluster: cluster.name,
    reportingAgents: reports.length,
    pools: poolRows,
    assignments: assignmentRows.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)),
    ips,
    alerts: assignmentRows.filter((a) => a.status === "no-gateway").map((a) => ({ namespace: a.namespace, name: a.name, ip: a.ip, problem: a.problem! })),
  };
}
