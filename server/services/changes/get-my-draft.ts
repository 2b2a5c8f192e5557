import { actorUserId, type RequestContext } from "../../auth/actor";
import { db, type PrismaClient, type Tx } from "../../db";
import { authorise } from "../authorise";
import { clusterByName } from "./store";

/** The caller's open draft change request for a cluster: the most recently changed one in state draft. */
export async function findMyDraft(client: Tx | PrismaClient, clusterId: string, userId: string) {
  return client.changeRequest.findFirst({
    where: { clusterId, authorId: userId, state: "draft" },
    orderBy: [{ updatedAt: "desc" }, { number: "desc" }],
    include: { items: { orderBy: { position: "asc" } } },
  });
}

/**
 * The signed-in user's open draft for a cluster, with its changes (what "Save to draft" adds to),
 * or null. Editors use it to start from the drafted version of a resource.
 */
export async function getMyDraft(ctx: RequestContext, clusterName: string) {
  const actor = authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const uid = actorUserId(actor);
  const cr = uid ? await findMyDraft(db(), cluster.id, uid) : null;
  if (!cr) return { cluster: cluster.name, draft: null };
  return {
    cluster: cluster.name,
    draft: {
      id: cr.id,
      number: cr.number,
      title: cr.title,
      state: cr.state,
      round: cr.round,
      updatedAt: cr.updatedAt.toISOString(),
      items: cr.items.map((i) => ({
        id: i.id,
        op: i.op,
        kind: i.kind,
        namespace: i.namespace || null,
        name: i.name,
        baseVersion: i.baseVersion,
        document: (i.document as Record<string, unknown> | null) ?? null,
      })),
    },
  };
}
