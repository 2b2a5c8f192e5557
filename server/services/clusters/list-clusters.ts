import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { authorise } from "../authorise";

export async function listClusters(ctx: RequestContext) {
  authorise(ctx, "authenticated");
  const rows = await db().cluster.findMany({
    orderBy: { name: "asc" },
    include: { _count: { select: { namespaces: true, pods: true } } },
  });
  return {
    items: rows.map((c) => ({
      id: c.id,
      name: c.name,
      displayName: c.displayName,
      description: c.description,
      createdAt: c.createdAt.toISOString(),
      namespaces: c._count.namespaces,
      pods: c._count.pods,
    })),
  };
}
