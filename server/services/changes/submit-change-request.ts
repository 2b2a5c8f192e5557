import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { authorise } from "../authorise";
import { conflict, invalid } from "../errors";
import { enqueueWebhookEvent } from "../webhooks/outbox";
import { assertCanEdit, lockRequest, plannedChanges } from "./requests";
import { loadStore, staleChanges, validateRequest } from "./store";

/**
 * The author submits a draft for review. The whole request is validated again against the
 * current store: references resolve, names are unique, no egress IP is assigned twice, tiers
 * exist (422 with `changes[i]...` paths). A base that moved makes it conflicted instead.
 */
export async function submitChangeRequest(ctx: RequestContext, id: string) {
  const actor = authorise(ctx, ["author"]);
  return db().$transaction(async (tx) => {
    const cr = await lockRequest(tx, id);
    assertCanEdit(actor, cr);
    if (cr.state !== "draft") throw conflict(`only a draft can be submitted (this one is ${cr.state})`);
    const changes = plannedChanges(cr.items);
    if (changes.length === 0) throw invalid([{ path: "changes", message: "add at least one change before submitting" }]);
    const store = await loadStore(cr.clusterId, tx);
    const stale = staleChanges(store, changes);
    if (stale.length) throw conflict("resources changed since they were added to this request; rebase it first", { conflicts: stale });
    const errors = validateRequest(store, changes);
    if (errors.length) throw invalid(errors, `the change request is not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
    const now = new Date();
    const after = await tx.changeRequest.update({ where: { id }, data: { state: "submitted", submittedAt: now, round: cr.round + 1 } });
    await appendAudit(tx, ctx, { action: "change.submit", target: { type: "change_request", id }, before: { state: cr.state }, after: { state: after.state, round: after.round } });
    const cluster = await tx.cluster.findUniqueOrThrow({ where: { id: cr.clusterId } });
    await enqueueWebhookEvent(tx, "change.submitted", { changeRequest: { id, number: cr.number, title: cr.title }, cluster: cluster.name, author: cr.authorName, changes: changes.length });
    return { id, state: after.state, round: after.round };
  });
}
