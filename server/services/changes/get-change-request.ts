import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { authorise } from "../authorise";
import { approvalSettings } from "../settings/approval-settings";
import { resourceDiff } from "./present-diff";
import { allowedActions, loadRequest, plannedChanges, presentSummary, requiredApprovals, tiersTouched } from "./requests";
import { keyString, loadStore } from "./store";

interface RevisionChange {
  kind: string;
  namespace: string;
  name: string;
  before: unknown;
  after: unknown;
}

/**
 * One change request with a YAML diff per resource (before: the current revision, or for a
 * published request the revision it replaced), approvals of the current round, the comment
 * thread, and what the caller may do with it.
 */
export async function getChangeRequest(ctx: RequestContext, id: string) {
  const actor = authorise(ctx, "authenticated");
  const cr = await loadRequest(id);
  const cluster = await db().cluster.findUniqueOrThrow({ where: { id: cr.clusterId } });
  const store = await loadStore(cr.clusterId);
  let publishedBefore: Map<string, unknown> | null = null;
  if (cr.state === "published" && cr.publishedRevision) {
    const rev = await db().revision.findUnique({ where: { clusterId_number: { clusterId: cr.clusterId, number: cr.publishedRevision } } });
    publishedBefore = new Map(((rev?.changes as unknown as RevisionChange[]) ?? []).map((c) => [keyString(c), c.before]));
  }
  const beforeOf = (k: string): Record<string, unknown> | null =>
    publishedBefore ? ((publishedBefore.get(k) as Record<string, unknown> | null) ?? null) : (store.get(k)?.deleted ? null : (store.get(k)?.document ?? null));
  const changes = plannedChanges(cr.items);
  const settings = await approvalSettings();
  const tiers = tiersTouched(changes, (c) => beforeOf(keyString(c.key)));
  const needed = requiredApprovals(settings, tiers);
  const current = cr.approvals.filter((a) => a.round === cr.round);
  const approvalsCount = current.filter((a) => a.decision === "approve").length;
  return {
    ...presentSummary(cr, cluster.name),
    tiers: [...tiers].sort(),
    approvalsRequired: needed,
    approvalsCount,
    items: cr.items.map((i) => {
      const k = keyString(i);
      const live = store.get(k);
      return {
        id: i.id,
        op: i.op,
        kind: i.kind,
        namespace: i.namespace,
        name: i.name,
        baseVersion: i.baseVersion,
        currentVersion: live?.version ?? 0,
        stale: cr.state !== "published" && (live?.version ?? 0) !== i.baseVersion,
        ...resourceDiff(beforeOf(k), i.document),
      };
    }),
    approvals: cr.approvals.map((a) => ({
      id: a.id,
      userName: a.userName,
      decision: a.decision,
      comment: a.comment,
      round: a.round,
      current: a.round === cr.round,
      createdAt: a.createdAt.toISOString(),
    })),
    comments: cr.comments.map((c) => ({ id: c.id, authorName: c.authorName, body: c.body, createdAt: c.createdAt.toISOString() })),
    allowed: allowedActions(actor, cr, cr.approvals, approvalsCount >= needed, cr.items.length),
  };
}
