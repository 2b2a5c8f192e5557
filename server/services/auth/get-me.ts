import { actorUserId, type RequestContext, type RoleName } from "../../auth/actor";
import { db } from "../../db";
import { authorise } from "../authorise";
import { notFound } from "../errors";

export async function getMe(ctx: RequestContext) {
  const actor = authorise(ctx, "authenticated");
  const userId = actorUserId(actor);
  if (!userId) return { id: actor.id, username: actor.name, displayName: actor.name, roles: actor.roles, via: actor.type };
  const user = await db().user.findUnique({ where: { id: userId } });
  if (!user) throw notFound("user");
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    roles: user.roles as RoleName[],
    via: actor.type,
  };
}
