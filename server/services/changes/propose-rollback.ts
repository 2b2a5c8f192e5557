import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db, Prisma } from "../../db";
import { canonicalJson, type BundlePayload } from "../../policy/bundle";
import { authorise } from "../authorise";
import { conflict, notFound } from "../errors";
import { presentSummary, requireUser } from "./requests";
import { clusterByName, currentRevisionNumber, keyString, loadStore } from "./store";

function keyOfDoc(doc: Record<string, unknown>) {
  const meta = doc.metadata as { name: string; namespace?: string };
  return { kind: doc.kind as string, namespace: meta.namespace ?? "", name: meta.name };
}

/**
 * "Propose rollback to revision K": a new draft change request whose changes restore exactly the
 * resources of revision K (from its signed bundle): updates and re-creates for what differs,
 * deletes for what K did not have. It goes through review like any other change.
 */
export async function proposeRollback(ctx: RequestContext, clusterName: string, revision: number) {
  const actor = authorise(ctx, ["author"]);
  const authorId = requireUser(actor);
  return db().$transaction(async (tx) => {
    const cluster = await clusterByName(clusterName, tx);
    const target = await tx.revision.findUnique({ where: { clusterId_number: { clusterId: cluster.id, number: revision } } });
    if (!target) throw notFound(`revision ${revision} of cluster "${clusterName}"`);
    const current = await currentRevisionNumber(cluster.id, tx);
    const wanted = new Map<string, Record<string, unknown>>();
    for (const doc of (JSON.parse(target.bundlePayload) as BundlePayload).resources as Array<Record<string, unknown>>) wanted.set(keyString(keyOfDoc(doc)), doc);
    const store = await loadStore(cluster.id, tx);
    const items: Prisma.ChangeItemCreateManyInput[] = [];
    for (const [k, doc] of wanted) {
      const live = store.get(k);
      const exists = live !== undefined && !live.deleted;
      if (exists && canonicalJson(live.document) === canonicalJson(doc)) continue;
      const key = keyOfDoc(doc);
      items.push({ changeRequestId: "", position: 0, op: exists ? "update" : "create", ...key, baseVersion: live?.version ?? 0, document: doc as Prisma.InputJsonValue });
    }
    for (const [k, live] of store) {
      if (live.deleted || wanted.has(k)) continue;
      items.push({ changeRequestId: "", position: 0, op: "delete", ...live.key, baseVersion: live.version, document: Prisma.DbNull });
    }
    if (items.length === 0) throw conflict(`the cluster's current resources already match revision ${revision}`);
    const cr = await tx.changeRequest.create({
      data: {
        clusterId: cluster.id,
        title: `Roll back to revision ${revision}`,
        description: `Restores the resources of revision ${revision} ("${target.title}"), replacing revision ${current}.`,
        authorId,
        authorName: actor.name,
        baseRevision: current,
        rollbackOf: revision,
      },
    });
    await tx.changeItem.createMany({ data: items.map((i, n) => ({ ...i, changeRequestId: cr.id, position: n + 1 })) });
    const shown = presentSummary(cr, cluster.name);
    await appendAudit(tx, ctx, {
      action: "change.open",
      target: { type: "change_request", id: cr.id },
      after: shown,
      details: { cluster: cluster.name, rollbackOf: revision, changes: items.length },
    });
    return { ...shown, changes: items.length };
  });
}
