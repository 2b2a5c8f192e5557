import { actorUserId, type RequestContext } from "../../auth/actor";
import { newApiToken, sha256 } from "../../auth/tokens";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { authorise } from "../authorise";
import { ServiceError } from "../errors";
import { presentToken } from "./present";

/** Creates a personal API token. The secret is returned once and only its hash is stored. */
export async function createApiToken(ctx: RequestContext, input: { name: string; expiresInDays?: number | null }) {
  const actor = authorise(ctx, "authenticated");
  if (actor.type !== "user") throw new ServiceError("forbidden", "API tokens are created from a signed-in session");
  const userId = actorUserId(actor)!;
  const { token, prefix } = newApiToken();
  return db().$transaction(async (tx) => {
    const count = await tx.apiToken.count({ where: { userId, revokedAt: null } });
    if (count >= 50) throw new ServiceError("conflict", "you have 50 active tokens; revoke some first");
    const row = await tx.apiToken.create({
      data: {
        userId,
        name: input.name,
        prefix,
        tokenHash: sha256(token),
        expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
      },
    });
    const shown = presentToken(row);
    await appendAudit(tx, ctx, { action: "token.create", target: { type: "api_token", id: row.id }, after: shown });
    return { ...shown, token };
  });
}
