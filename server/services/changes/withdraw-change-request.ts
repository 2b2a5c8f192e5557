import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { authorise } from "../authorise";
import { conflict, forbidden } from "../errors";
import { hasAnyRole } from "../../auth/actor";
import { isAuthorOf, lockRequest, OPEN_STATES } from "./requests";

/** The author (or an admin) withdraws an open request. One audit row. */
export async function withdrawChangeRequest(ctx: RequestContext, id: string) {
  const actor = authorise(ctx, ["author", "admin"]);
  return db().$transaction(async (tx) => {
    const cr = await lockRequest(tx, id);
    if (!isAuthorOf(actor, cr) && !hasAnyRole(actor, ["admin"])) throw forbidden("only the author of a change request can withdraw it");
    if (!OPEN_STATES.includes(cr.state)) throw conflict(`the change request is ${cr.state}; it can no longer be withdrawn`);
    await tx.changeRequest.update({ where: { id }, data: { state: "withdrawn", decidedAt: new Date() } });
    await appendAudit(tx, ctx, { action: "change.withdraw", target: { type: "change_request", id }, before: { state: cr.state }, after: { state: "withdrawn" } });
    return { id, state: "withdrawn" as const };
  });
}
