import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db, type Prisma } from "../../db";
import { ServiceError } from "../errors";
import type { TAgentInventory } from "./schemas";

/**
 * An agent reports the namespaces it sees and the pods on its node. The pods of that node are
 * replaced as a whole (pods that vanished are removed); namespaces are upserted, and removed
 * when no longer reported and without pods. One audit row per report records the counts.
 */
export async function reportAgentInventory(ctx: RequestContext, input: TAgentInventory) {
  const actor = ctx.actor;
  if (!actor || actor.type !== "agent") throw new ServiceError("forbidden", "this endpoint is for enforcement agents only");
  const clusterId = actor.clusterId;
  return db().$transaction(async (tx) => {
    const now = new Date();
    const removed = await tx.inventoryPod.deleteMany({ where: { clusterId, nodeName: actor.nodeName } });
    if (input.pods.length) {
      await tx.inventoryPod.createMany({
        data: input.pods.map((p) => ({
          clusterId,
          namespace: p.namespace,
          name: p.name,
          labels: p.labels,
          serviceAccount: p.serviceAccount,
          nodeName: actor.nodeName,
          podIps: p.podIps,
          ports: p.ports as Prisma.InputJsonValue,
          phase: p.phase,
          updatedAt: now,
        })),
        skipDuplicates: true,
      });
    }
    for (const ns of input.namespaces) {
      await tx.inventoryNamespace.upsert({
        where: { clusterId_name: { clusterId, name: ns.name } },
        create: { clusterId, name: ns.name, labels: ns.labels, updatedAt: now },
        update: { labels: ns.labels, updatedAt: now },
      });
    }
    const reported = input.namespaces.map((n) => n.name);
    const withPods = (await tx.inventoryPod.groupBy({ by: ["namespace"], where: { clusterId } })).map((g) => g.namespace);
    const gone = await tx.inventoryNamespace.deleteMany({
      where: { clusterId, name: { notIn: [...reported, ...withPods] }, updatedAt: { lt: now } },
    });
    await appendAudit(tx, ctx, {
      action: "agent.inventory.report",
      target: { type: "agent", id: actor.id },
      details: { node: actor.nodeName, pods: input.pods.length, podsReplaced: removed.count, namespaces: input.namespaces.length, namespacesRemoved: gone.count },
    });
    return { ok: true as const, pods: input.pods.length, namespaces: input.namespaces.length };
  });
}
