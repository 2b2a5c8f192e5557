import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { authorise } from "../authorise";
import { notFound } from "../errors";
import { touchRequest } from "./edit";
import { assertCanEdit, lockRequest } from "./requests";
import { describeKey } from "./store";

/** The author drops one change from a request. One audit row. */
export async function removeChange(ctx: RequestContext, id: string, itemId: string) {
  const actor = authorise(ctx, ["author"]);
  return db().$transaction(async (tx) => {
    const cr = await lockRequest(tx, id);
    assertCanEdit(actor, cr);
    const item = cr.items.find((i) => i.id === itemId);
    if (!item) throw notFound("change");
    await tx.changeItem.delete({ where: { id: itemId } });
    await touchRequest(tx, cr);
    await appendAudit(tx, ctx, {
      action: "change.items.remove",
      target: { type: "change_request", id },
      before: { op: item.op, resource: describeKey(item), document: item.document },
    });
    return { ok: true as const };
  });
}
