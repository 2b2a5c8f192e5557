import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { authorise } from "../authorise";

/** Ends the caller's session at once (the row is deleted, so the cookie stops working). */
export async function logout(ctx: RequestContext): Promise<{ ok: true }> {
  const actor = authorise(ctx, "authenticated");
  await db().$transaction(async (tx) => {
    if (actor.type === "user") await tx.session.deleteMany({ where: { id: actor.sessionId } });
    await appendAudit(tx, ctx, { action: "auth.logout", target: { type: "user", id: actor.id ?? "" } });
  });
  return { ok: true };
}
