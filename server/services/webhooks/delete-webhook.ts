import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { authorise } from "../authorise";
import { notFound } from "../errors";
import { presentWebhook } from "./present";

/** Admins remove a webhook and its queued deliveries. One audit row. */
export async function deleteWebhook(ctx: RequestContext, id: string) {
  authorise(ctx, ["admin"]);
  return db().$transaction(async (tx) => {
    const w = await tx.webhook.findUnique({ where: { id } });
    if (!w) throw notFound("webhook");
    await tx.webhook.delete({ where: { id } });
    await appendAudit(tx, ctx, { action: "webhook.delete", target: { type: "webhook", id }, before: presentWebhook(w) });
    return { ok: true as const };
  });
}
