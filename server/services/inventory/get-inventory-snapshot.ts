import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { authorise } from "../authorise";
import { clusterByName } from "../changes/store";

/**
 * The whole inventory of a cluster in a compact form, for the browser's selector index (live
 * preview of which pods a selector matches). Streams rows from the database in pages.
 */
export async function getInventorySnapshot(ctx: RequestContext, clusterName: string) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const namespaces = await db().inventoryNamespace.findMany({ where: { clusterId: cluster.id }, orderBy: { name: "asc" } });
  const pods: Array<[string, string, Record<string, string>, string, string, string[]]> = [];
  let cursor: { namespace: string; name: string } | null = null;
  for (;;) {
    const page: Array<{ namespace: string; name: string; labels: unknown; serviceAccount: string; nodeName: string; podIps: string[] }> =
      await db().inventoryPod.findMany({
        where: {
          clusterId: cluster.id,
          ...(cursor ? { OR: [{ namespace: { gt: cursor.namespace } }, { namespace: cursor.namespace, name: { gt: cursor.name } }] } : {}),
        },
        orderBy: [{ namespace: "asc" }, { name: "asc" }],
        take: 5000,
        select: { namespace: true, name: true, labels: true, serviceAccount: true, nodeName: true, podIps: true },
      });
    if (page.length === 0) break;
    for (const p of page) pods.push([p.namespace, p.name, p.labels as Record<string, string>, p.serviceAccount, p.nodeName, p.podIps]);
    const last = page[page.length - 1]!;
    cursor = { namespace: last.namespace, name: last.name };
    if (page.length < 5000) break;
  }
  return {
    cluster: cluster.name,
    namespaces: namespaces.map((n) => ({ name: n.name, labels: n.labels as Record<string, string> })),
    /** [namespace, name, labels, serviceAccount, nodeName, podIPs] */
    pods,
  };
}
