import { createHmac } from "node:crypto";
import { db, type Prisma, type PrismaClient, type Tx } from "../../db";
import type { TWebhookEvent } from "../../policy/changes";
import { log } from "../../log";

/** Signature header: `sha256=<hex HMAC-SHA256 of the exact body, keyed with the webhook's secret>`. */
export const SIGNATURE_HEADER = "x-portcullis-signature";
export const EVENT_HEADER = "x-portcullis-event";
export const DELIVERY_HEADER = "x-portcullis-delivery";
export const MAX_ATTEMPTS = 6;

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Queues one delivery per enabled webhook subscribed to `event`, inside the caller's transaction. */
export async function enqueueWebhookEvent(tx: Tx, event: TWebhookEvent, data: Record<string, unknown>): Promise<number> {
  const hooks = await tx.webhook.findMany({ where: { enabled: true, events: { has: event } }, select: { id: true } });
  if (hooks.length === 0) return 0;
  const payload = { event, at: new Date().toISOString(), data } as unknown as Prisma.InputJsonValue;
  await tx.webhookDelivery.createMany({ data: hooks.map((h) => ({ webhookId: h.id, event, payload })) });
  return hooks.length;
}

/** Backoff after the n-th failed attempt (1-based): 2 s, 4 s, 8 s, ... capped at 5 minutes. */
export function backoffMs(attempt: number, baseMs = 2000): number {
  return Math.min(300_000, baseMs * 2 ** (attempt - 1));
}

/**
 * Delivers due outbox rows once. Each row is claimed with FOR UPDATE SKIP LOCKED, so several
 * console replicas drain the same outbox without sending twice. Failures never affect the
 * transactions that queued the events; they are recorded on the row and retried with backoff.
 */
export async function drainOutbox(opts: { client?: PrismaClient; limit?: number; timeoutMs?: number; baseBackoffMs?: number } = {}): Promise<{ delivered: number; failed: number }> {
  const client = opts.client ?? db();
  let delivered = 0;
  let failed = 0;
  // Each row at most once per pass: a failed row's next attempt is always after the pass began.
  const passStart = new Date();
  for (let n = 0; n < (opts.limit ?? 50); n++) {
    const done = await client.$transaction(async (tx) => {
      const due = await tx.$queryRaw<Array<{ id: string }>>`
        SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ${passStart}
        ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`;
      const row = due[0];
      if (!row) return null;
      const d = await tx.webhookDelivery.findUniqueOrThrow({ where: { id: row.id }, include: { webhook: true } });
      const body = JSON.stringify(d.payload);
      let status: number | null = null;
      let error: string | null = null;
      try {
        const res = await fetch(d.webhook.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [SIGNATURE_HEADER]: signBody(d.webhook.secret, body),
            [EVENT_HEADER]: d.event,
            [DELIVERY_HEADER]: d.id,
          },
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
        });
        status = res.status;
        await res.body?.cancel().catch(() => {});
        if (res.status < 200 || res.status >= 300) error = `receiver answered HTTP ${res.status}`;
      } catch (err) {
        error = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);
      }
      const attempts = d.attempts + 1;
      if (!error) {
        await tx.webhookDelivery.update({ where: { id: d.id }, data: { status: "delivered", attempts, lastStatus: status, lastError: null, deliveredAt: new Date() } });
        return "delivered" as const;
      }
      const giveUp = attempts >= MAX_ATTEMPTS;
      await tx.webhookDelivery.update({
        where: { id: d.id },
        data: {
          status: giveUp ? "failed" : "pending",
          attempts,
          lastStatus: status,
          lastError: error.slice(0, 500),
          nextAttemptAt: new Date(Date.now() + backoffMs(attempts, opts.baseBackoffMs)),
        },
      });
      return "failed" as const;
    }, { timeout: (opts.timeoutMs ?? 10_000) + 5000 });
    if (done === null) break;
    if (done === "delivered") delivered++;
    else failed++;
  }
  return { delivered, failed };
}

/** Starts the in-process worker: drains the outbox every `intervalMs`. Returns a stop function. */
export function startWebhookWorker(intervalMs = 2000): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (stopped) return;
    try {
      await drainOutbox();
    } catch (err) {
      log.warn("webhook delivery pass failed", { error: err instanceof Error ? err.message : String(err) });
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  };
  timer = setTimeout(() => void tick(), intervalMs);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
