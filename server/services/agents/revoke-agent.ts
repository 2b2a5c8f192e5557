import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { authorise } from "../authorise";
import { notFound } from "../errors";

/** Revokes an agent's credential at once; the node must register again with a new bootstrap token. */
export async function revokeAgent(ctx: RequestContext, id: string) {
  authorise(ctx, ["admin"]);
  return db().$transaction(async (tx) => {
    const agent = await tx.agent.findUnique({ where: { id } });
    if (!agent) throw notFound("agent");
    if (agent.revokedAt) return { id, revokedAt: agent.revokedAt.toISOString() };
    const after = await tx.agent.update({ where: { id }, data: { revokedAt: new Date() } });
    await appendAudit(tx, ctx, { action: "agent.revoke", target: { type: "agent", id }, before: { revokedAt: null }, after: { revokedAt: after.revokedAt!.toISOString() } });
    return { id, revokedAt: after.revokedAt!.toISOString() };
  });
}
