import { actorUserId, type RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { authorise } from "../authorise";
import { conflict } from "../errors";
import { lockRequest } from "./requests";

/** Anyone signed in adds a comment to the request's thread. One audit row. */
export async function commentOnChangeRequest(ctx: RequestContext, id: string, input: { body: string }) {
  const actor = authorise(ctx, "authenticated");
  return db().$transaction(async (tx) => {
    const cr = await lockRequest(tx, id);
    if (cr.state === "withdrawn") throw conflict("the change request was withdrawn");
    const c = await tx.changeComment.create({ data: { changeRequestId: id, authorId: actorUserId(actor), authorName: actor.name, body: input.body } });
    const shown = { id: c.id, authorName: c.authorName, body: c.body, createdAt: c.createdAt.toISOString() };
    await appendAudit(tx, ctx, { action: "change.comment", target: { type: "change_request", id }, after: shown });
    return shown;
  });
}
