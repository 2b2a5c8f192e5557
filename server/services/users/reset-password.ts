import type { RequestContext } from "../../auth/actor";
import { hashPassword } from "../../auth/password";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { authorise } from "../authorise";
import { notFound } from "../errors";

/** An admin sets a new password for a user; the user's sessions end. */
export async function resetPassword(ctx: RequestContext, id: string, input: { password: string }) {
  authorise(ctx, ["admin"]);
  const passwordHash = await hashPassword(input.password);
  return db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id } });
    if (!user) throw notFound("user");
    await tx.user.update({ where: { id }, data: { passwordHash } });
    const ended = await tx.session.deleteMany({ where: { userId: id } });
    await appendAudit(tx, ctx, { action: "user.password.reset", target: { type: "user", id }, details: { sessionsEnded: ended.count } });
    return { ok: true as const, sessionsEnded: ended.count };
  });
}
