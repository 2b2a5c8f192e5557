import { actorUserId, hasAnyRole, type RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { authorise } from "../authorise";
import { notFound } from "../errors";
import { presentToken } from "./present";

/** Revokes a token: its owner may revoke their own, an admin anyone's. Effective at once. */
export async function revokeApiToken(ctx: RequestContext, id: string) {
  const actor = authorise(ctx, "authenticated");
  return db().$transaction(async (tx) => {
    const row = await tx.apiToken.findUnique({ where: { id } });
    if (!row || (row.userId !== actorUserId(actor) && !hasAnyRole(actor, ["admin"]))) throw notFound("API token");
    if (row.revokedAt) return presentToken(row);
    const after = await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    await appendAudit(tx, ctx, { action: "token.revoke", target: { type: "api_token", id }, before: presentToken(row), after: presentToken(after) });
    return presentToken(after);
  });
}
