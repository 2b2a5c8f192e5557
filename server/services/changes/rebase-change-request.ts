import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db, Prisma } from "../../db";
import { authorise } from "../authorise";
import { conflict } from "../errors";
import { assertCanEdit, lockRequest } from "./requests";
import { currentRevisionNumber, keyString, loadStore } from "./store";

/**
 * The author rebases a conflicted request onto the current revision: each change is now based on
 * the resource's current version (a create of a resource that now exists becomes an update; an
 * update of one that was deleted becomes a create), approvals reset, and it returns to draft so
 * it is validated and reviewed again.
 */
export async function rebaseChangeRequest(ctx: RequestContext, id: string) {
  const actor = authorise(ctx, ["author"]);
  return db().$transaction(async (tx) => {
    const cr = await lockRequest(tx, id);
    assertCanEdit(actor, { ...cr, state: cr.state === "conflicted" ? "draft" : cr.state });
    if (cr.state !== "conflicted") throw conflict(`only a conflicted change request can be rebased (this one is ${cr.state})`);
    const store = await loadStore(cr.clusterId, tx);
    const dropped: string[] = [];
    for (const item of cr.items) {
      const live = store.get(keyString(item));
      const exists = live !== undefined && !live.deleted;
      if (item.op === "delete" && !exists) {
        await tx.changeItem.delete({ where: { id: item.id } });
        dropped.push(keyString(item));
        continue;
      }
      const op = item.op === "delete" ? "delete" : exists ? "update" : "create";
      await tx.changeItem.update({ where: { id: item.id }, data: { op, baseVersion: live?.version ?? 0 } });
    }
    const baseRevision = await currentRevisionNumber(cr.clusterId, tx);
    await tx.changeRequest.update({ where: { id }, data: { state: "draft", round: cr.round + 1, baseRevision, conflicts: Prisma.DbNull, decidedAt: null } });
    await appendAudit(tx, ctx, {
      action: "change.rebase",
      target: { type: "change_request", id },
      before: { state: cr.state, baseRevision: cr.baseRevision },
      after: { state: "draft", baseRevision },
      details: { droppedDeletesOfMissingResources: dropped },
    });
    return { id, state: "draft" as const, baseRevision, dropped };
  });
}
