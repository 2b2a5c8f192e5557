import { actorUserId, type RequestContext } from "../../auth/actor";
import { hashPassword, verifyPassword } from "../../auth/password";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { authorise } from "../authorise";
import { ServiceError, notFound } from "../errors";

/** Changes the caller's password and ends every other session of theirs. */
export async function changeOwnPassword(ctx: RequestContext, input: { currentPassword: string; newPassword: string }) {
  const actor = authorise(ctx, "authenticated");
  const userId = actorUserId(actor);
  if (!userId || actor.type !== "user") throw new ServiceError("forbidden", "only a signed-in user can change their password");
  const user = await db().user.findUnique({ where: { id: userId } });
  if (!user) throw notFound("user");
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new ServiceError("validation_failed", "currentPassword: the current password is incorrect", {
      errors: [{ path: "currentPassword", message: "the current password is incorrect" }],
    });
  }
  const passwordHash = await hashPassword(input.newPassword);
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash } });
    await tx.session.deleteMany({ where: { userId, id: { not: actor.sessionId } } });
    await appendAudit(tx, ctx, { action: "user.password.change", target: { type: "user", id: userId } });
  });
  return { ok: true as const };
}
