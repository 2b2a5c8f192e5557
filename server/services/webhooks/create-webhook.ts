import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import type { TCreateWebhook } from "../../policy/changes";
import { authorise } from "../authorise";
import { presentWebhook } from "./present";

/** Admins add an outgoing webhook (URL, HMAC secret, events). One audit row; the secret is never shown or audited. */
export async function createWebhook(ctx: RequestContext, input: TCreateWebhook) {
  authorise(ctx, ["admin"]);
  return db().$transaction(async (tx) => {
    const w = await tx.webhook.create({ data: { url: input.url, secret: input.secret, events: input.events } });
    const shown = presentWebhook(w);
    await appendAudit(tx, ctx, { action: "webhook.create", target: { type: "webhook", id: w.id }, after: shown });
    return shown;
  });
}
