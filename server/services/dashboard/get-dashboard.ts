import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { authorise } from "../authorise";

/** Real counts for the dashboard, per cluster and overall. */
export async function getDashboard(ctx: RequestContext) {
  authorise(ctx, "authenticated");
  const client = db();
  const [clusters, users, activeUsers, auditEvents, namespaceCounts, podCounts, lastAudit] = await Promise.all([
    client.cluster.findMany({ orderBy: { name: "asc" } }),
    client.user.count(),
    client.user.count({ where: { disabled: false } }),
    client.auditEvent.count(),
    client.inventoryNamespace.groupBy({ by: ["clusterId"], _count: { _all: true } }),
    client.inventoryPod.groupBy({ by: ["clusterId"], _count: { _all: true } }),
    client.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { at: true, action: true, actorName: true } }),
  ]);
  const ns = new Map(namespaceCounts.map((r) => [r.clusterId, r._count._all]));
  const pods = new Map(podCounts.map((r) => [r.clusterId, r._count._all]));
  return {
    clusters: clusters.map((c) => ({
      id: c.id,
      name: c.name,
      displayName: c.displayName,
      namespaces: ns.get(c.id) ?? 0,
      pods: pods.get(c.id) ?? 0,
    })),
    totals: {
      clusters: clusters.length,
      namespaces: [...ns.values()].reduce((a, b) => a + b, 0),
      pods: [...pods.values()].reduce((a, b) => a + b, 0),
      users,
      activeUsers,
      auditEvents,
    },
    lastAudit: lastAudit ? { at: lastAudit.at.toISOString(), action: lastAudit.action, actor: lastAudit.actorName } : null,
  };
}
