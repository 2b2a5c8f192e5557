import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { authorise } from "../authorise";
import { presentWebhook } from "./present";

/** Webhooks with their delivery health and the most recent deliveries (failures first to see). */
export async function listWebhooks(ctx: RequestContext) {
  authorise(ctx, ["admin"]);
  const hooks = await db().webhook.findMany({ orderBy: { createdAt: "asc" } });
  const counts = await db().webhookDelivery.groupBy({ by: ["webhookId", "status"], _count: { _all: true } });
  const recent = await db().webhookDelivery.findMany({ orderBy: { createdAt: "desc" }, take: 50 });
  return {
    items: hooks.map((h) => {
      const c = (status: string) => counts.find((x) => x.webhookId === h.id && x.status === status)?._count._all ?? 0;
      return { ...presentWebhook(h), delivered: c("delivered"), pending: c("pending"), failed: c("failed") };
    }),
    deliveries: recent.map((d) => ({
      id: d.id,
      webhookId: d.webhookId,
      event: d.event,
      status: d.status,
      attempts: d.attempts,
      lastStatus: d.lastStatus,
      lastError: d.lastError,
      nextAttemptAt: d.nextAttemptAt.toISOString(),
      createdAt: d.createdAt.toISOString(),
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
    })),
  };
}
