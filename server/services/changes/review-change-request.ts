import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { authorise } from "../authorise";
import { conflict, forbidden } from "../errors";
import { approvalSettings } from "../settings/approval-settings";
import { enqueueWebhookEvent } from "../webhooks/outbox";
import { publishChangeRequest } from "./publish-change-request";
import { isAuthorOf, lockRequest, plannedChanges, requireUser, requiredApprovals, tiersTouched } from "./requests";
import { keyString, loadStore } from "./store";

/**
 * An approver approves or rejects a submitted request, with a comment. The author can never
 * review their own request (403, whatever their roles). When the approvals of the current round
 * reach the requirement (default, or the highest per-tier override among the tiers touched), the
 * request becomes approved, and is published at once when automatic publishing is on.
 */
export async function reviewChangeRequest(ctx: RequestContext, id: string, input: { decision: "approve" | "reject"; comment?: string }) {
  const actor = authorise(ctx, ["approver"]);
  const userId = requireUser(actor);
  const result = await db().$transaction(async (tx) => {
    const cr = await lockRequest(tx, id);
    if (isAuthorOf(actor, cr)) throw forbidden("you cannot review your own change request: someone else must approve it");
    if (cr.state !== "submitted" && !(cr.state === "approved" && input.decision === "reject")) {
      throw conflict(`only a submitted change request can be ${input.decision === "approve" ? "approved" : "rejected"} (this one is ${cr.state})`);
    }
    const prior = await tx.changeApproval.findFirst({ where: { changeRequestId: id, round: cr.round, userId } });
    if (prior) throw conflict("you have already reviewed this version of the change request");
    await tx.changeApproval.create({
      data: { changeRequestId: id, round: cr.round, userId, userName: actor.name, decision: input.decision, comment: input.comment ?? "" },
    });
    if (input.comment) await tx.changeComment.create({ data: { changeRequestId: id, authorId: userId, authorName: actor.name, body: input.comment } });
    const settings = await approvalSettings(tx);
    const store = await loadStore(cr.clusterId, tx);
    const changes = plannedChanges(cr.items);
    const needed = requiredApprovals(settings, tiersTouched(changes, (c) => store.get(keyString(c.key))?.document ?? null));
    const approvals = await tx.changeApproval.count({ where: { changeRequestId: id, round: cr.round, decision: "approve" } });
    const state = input.decision === "reject" ? "rejected" : approvals >= needed ? "approved" : "submitted";
    if (state !== cr.state) await tx.changeRequest.update({ where: { id }, data: { state, decidedAt: state === "submitted" ? null : new Date() } });
    await appendAudit(tx, ctx, {
      action: input.decision === "approve" ? "change.approve" : "change.reject",
      target: { type: "change_request", id },
      before: { state: cr.state },
      after: { state, approvals, required: needed, round: cr.round },
      details: input.comment ? { comment: input.comment } : null,
    });
    const cluster = await tx.cluster.findUniqueOrThrow({ where: { id: cr.clusterId } });
    if (state === "approved" || state === "rejected") {
      await enqueueWebhookEvent(tx, state === "approved" ? "change.approved" : "change.rejected", {
        changeRequest: { id, number: cr.number, title: cr.title },
        cluster: cluster.name,
        reviewer: actor.name,
        comment: input.comment ?? "",
      });
    }
    return { id, state, approvals, required: needed, autoPublish: settings.autoPublish && state === "approved" };
  });
  if (result.autoPublish) {
    const published = await publishChangeRequest(ctx, id, { automatic: true });
    return { ...result, state: "published" as const, revision: published.revision };
  }
  return result;
}
