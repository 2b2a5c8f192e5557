import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { authorise } from "../authorise";
import { clusterByName } from "../changes/store";

/** Namespaces of a cluster with their labels and pod counts. */
export async function listNamespaces(ctx: RequestContext, clusterName: string) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const [namespaces, counts] = await Promise.all([
    db().inventoryNamespace.findMany({ where: { clusterId: cluster.id }, orderBy: { name: "asc" } }),
    db().inventoryPod.groupBy({ by: ["namespace"], where: { clusterId: cluster.id }, _count: { _all: true } }),
  ]);
  const byNs = new Map(counts.map((c) => [c.namespace, c._count._all]));
  return {
    items: namespaces.map((n) => ({ name: n.name, labels: n.labels as Record<string, string>, pods: byNs.get(n.name) ?? 0 })),
  };
}
