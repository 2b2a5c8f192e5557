import { actorUserId, type RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { authorise } from "../authorise";
import { presentToken } from "./present";

/** The caller's own tokens, newest first. */
export async function listApiTokens(ctx: RequestContext) {
  const actor = authorise(ctx, "authenticated");
  const userId = actorUserId(actor);
  if (!userId) return { items: [] };
  const rows = await db().apiToken.findMany({ where: { userId }, orderBy: { createdAt: "desc" } });
  return { items: rows.map(presentToken) };
}
