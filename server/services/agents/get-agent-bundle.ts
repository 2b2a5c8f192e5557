import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { waitForRevision } from "../../db/notify";
import { ServiceError } from "../errors";
import type { SignedBundle } from "../../policy/bundle";

/** Revisions are immutable, so their signed bundles are cached per (cluster, number). */
const cache = new Map<string, { number: number; signed: SignedBundle }>();
/** One head lookup in flight per cluster: a publish wakes every waiting agent at once, and they share it. */
const inflight = new Map<string, Promise<{ number: number; signed: SignedBundle } | null>>();

async function fetchLatest(clusterId: string): Promise<{ number: number; signed: SignedBundle } | null> {
  const head = await db().revision.findFirst({ where: { clusterId }, orderBy: { number: "desc" }, select: { number: true } });
  if (!head) return null;
  const hit = cache.get(clusterId);
  if (hit && hit.number === head.number) return hit;
  const r = await db().revision.findUniqueOrThrow({
    where: { clusterId_number: { clusterId, number: head.number } },
    select: { number: true, bundlePayload: true, bundleSignature: true, bundleKeyId: true, bundleSha256: true },
  });
  const entry = { number: r.number, signed: { payload: r.bundlePayload, signature: r.bundleSignature, keyId: r.bundleKeyId, sha256: r.bundleSha256 } };
  const current = cache.get(clusterId);
  if (!current || current.number < entry.number) cache.set(clusterId, entry);
  return entry;
}

/**
 * The cluster's latest signed bundle. Concurrent callers share one lookup; a caller that needs at
 * least revision `atLeast` (it was woken for it) starts a fresh lookup if the shared one began
 * before that revision committed.
 */
async function latest(clusterId: string, atLeast = 0): Promise<{ number: number; signed: SignedBundle } | null> {
  for (let attempt = 0; ; attempt++) {
    let p = inflight.get(clusterId);
    if (!p) {
      p = fetchLatest(clusterId).finally(() => {
        if (inflight.get(clusterId) === p) inflight.delete(clusterId);
      });
      inflight.set(clusterId, p);
    }
    const r = await p;
    if ((r?.number ?? 0) >= atLeast || attempt >= 2) return r;
    if (inflight.get(clusterId) === p) inflight.delete(clusterId);
  }
}

/**
 * Long-poll for the agent's cluster: the latest signed bundle as soon as a revision newer than
 * `after` exists (at once if it already does), or null after `wait` seconds. Woken across
 * console replicas by Postgres NOTIFY.
 */
export async function getAgentBundle(ctx: RequestContext, input: { cluster: string; after: number; wait: number }, signal?: AbortSignal): Promise<SignedBundle | null> {
  const actor = ctx.actor;
  if (!actor || actor.type !== "agent") throw new ServiceError("forbidden", "this endpoint is for enforcement agents only");
  if (input.cluster !== actor.clusterName) throw new ServiceError("forbidden", `this agent is registered for cluster "${actor.clusterName}", not "${input.cluster}"`);
  const now = await latest(actor.clusterId);
  if (now && now.number > input.after) return now.signed;
  if (input.wait === 0) return null;
  const woke = await waitForRevision(actor.clusterName, input.after, input.wait * 1000, async () => (await latest(actor.clusterId))?.number ?? 0, signal);
  if (!woke) return null;
  const next = await latest(actor.clusterId, input.after + 1);
  return next && next.number > input.after ? next.signed : null;
}
