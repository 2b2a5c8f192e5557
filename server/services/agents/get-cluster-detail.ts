import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { authorise } from "../authorise";
import { clusterByName } from "../changes/store";

/** A cluster with its agents: what each node enforces, how far behind the published revision, errors. */
export async function getClusterDetail(ctx: RequestContext, clusterName: string) {
  const actor = authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const [agents, head, tokens, counts] = await Promise.all([
    db().agent.findMany({ where: { clusterId: cluster.id }, orderBy: { nodeName: "asc" } }),
    db().revision.findFirst({ where: { clusterId: cluster.id }, orderBy: { number: "desc" }, select: { number: true, bundleSha256: true, publishedAt: true } }),
    actor.roles.includes("admin")
      ? db().agentBootstrapToken.findMany({ where: { clusterId: cluster.id }, orderBy: { createdAt: "desc" }, take: 20 })
      : Promise.resolve([]),
    Promise.all([db().inventoryNamespace.count({ where: { clusterId: cluster.id } }), db().inventoryPod.count({ where: { clusterId: cluster.id } })]),
  ]);
  const published = head?.number ?? 0;
  return {
    id: cluster.id,
    name: cluster.name,
    displayName: cluster.displayName,
    description: cluster.description,
    namespaces: counts[0],
    pods: counts[1],
    publishedRevision: published,
    publishedBundleSha256: head?.bundleSha256 ?? null,
    agents: agents.map((a) => {
      const report = (a.report ?? {}) as { rules?: number | null; sets?: number | null; setElements?: number | null; counters?: Record<string, number> };
      return {
        id: a.id,
        nodeName: a.nodeName,
        version: a.version,
        registeredAt: a.registeredAt.toISOString(),
        lastHeartbeatAt: a.lastHeartbeatAt?.toISOString() ?? null,
        appliedRevision: a.appliedRevision,
        appliedAt: a.appliedAt?.toISOString() ?? null,
        behind: a.appliedRevision === null ? published : Math.max(0, published - a.appliedRevision),
        current: published === 0 ? a.appliedRevision === null || a.appliedRevision === 0 : a.appliedRevision === published && a.appliedBundleSha256 === head?.bundleSha256,
        lastError: a.lastError,
        rules: report.rules ?? null,
        sets: report.sets ?? null,
        setElements: report.setElements ?? null,
        packets: Object.values(report.counters ?? {}).reduce((x, y) => x + y, 0),
        revoked: a.revokedAt !== null,
      };
    }),
    bootstrapTokens: tokens.map((t) => ({
      id: t.id,
      prefix: t.prefix,
      oneTime: t.oneTime,
      uses: t.uses,
      createdAt: t.createdAt.toISOString(),
      createdBy: t.createdByName,
      expiresAt: t.expiresAt.toISOString(),
      usable: !t.revokedAt && t.expiresAt.getTime() > Date.now() && !(t.oneTime && t.uses > 0),
    })),
  };
}
