import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { authorise } from "../authorise";
import { clusterByName } from "../changes/store";
import { agentStatusCounts } from "./list-agents";

/** A cluster with its agents summarised per status (the agents themselves are listed, paginated, by listAgents). */
export async function getClusterDetail(ctx: RequestContext, clusterName: string) {
  const actor = authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const [agentCounts, head, tokens, counts] = await Promise.all([
    agentStatusCounts(cluster.id),
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
    agentCounts,
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
