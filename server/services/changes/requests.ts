/**
 * Shared pieces of the change-request verbs: locking and loading a request, its planned changes,
 * the tiers it touches, approval counting, and what the current actor may do with it.
 */
import { actorUserId, hasAnyRole, type Actor } from "../../auth/actor";
import { db, type PrismaClient, type Tx } from "../../db";
import type { TApprovalSettings, TChangeState } from "../../policy/changes";
import { ServiceError, conflict, forbidden, notFound } from "../errors";
import { requiredApprovalsFor } from "../settings/approval-settings";
import { type PlannedChange } from "./store";

type Client = Tx | PrismaClient;

export const OPEN_STATES: readonly TChangeState[] = ["draft", "submitted", "approved", "conflicted"];
export const EDITABLE_STATES: readonly TChangeState[] = ["draft", "submitted", "approved"];

/** Locks the request row for the rest of the transaction and returns it with its items. */
export async function lockRequest(tx: Tx, id: string) {
  const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM change_requests WHERE id = ${id}::uuid FOR UPDATE`;
  if (locked.length === 0) throw notFound("change request");
  return tx.changeRequest.findUniqueOrThrow({ where: { id }, include: { items: { orderBy: { position: "asc" } } } });
}

export async function loadRequest(id: string, client: Client = db()) {
  const cr = await client.changeRequest.findUnique({
    where: { id },
    include: {
      items: { orderBy: { position: "asc" } },
      approvals: { orderBy: { createdAt: "asc" } },
      comments: { orderBy: { createdAt: "asc" } },
    },
  });
  if (!cr) throw notFound("change request");
  return cr;
}

export type RequestWithItems = Awaited<ReturnType<typeof lockRequest>>;

export function plannedChanges(items: RequestWithItems["items"]): PlannedChange[] {
  return items.map((i) => ({
    op: i.op,
    key: { kind: i.kind, namespace: i.namespace, name: i.name },
    baseVersion: i.baseVersion,
    document: (i.document as Record<string, unknown> | null) ?? null,
  }));
}

function tierOfDocument(doc: Record<string, unknown> | null | undefined): string | null {
  if (!doc) return null;
  const kind = doc.kind as string;
  const meta = doc.metadata as { name?: string } | undefined;
  if (kind === "Tier") return meta?.name ?? null;
  if (kind.endsWith("NetworkPolicy")) return ((doc.spec as { tier?: string } | undefined)?.tier ?? "default") as string;
  return null;
}

/** Tiers a request touches: the tiers of every changed policy (before and after) and changed tiers themselves. */
export function tiersTouched(changes: readonly PlannedChange[], before: (c: PlannedChange) => Record<string, unknown> | null): Set<string> {
  const out = new Set<string>();
  for (const c of changes) {
    for (const doc of [c.document, before(c)]) {
      const t = tierOfDocument(doc);
      if (t) out.add(t);
    }
  }
  return out;
}

export function requiredApprovals(settings: TApprovalSettings, tiers: Set<string>): number {
  return requiredApprovalsFor(settings, tiers);
}

export function isAuthorOf(actor: Actor, cr: { authorId: string | null }): boolean {
  const uid = actorUserId(actor);
  return uid !== null && uid === cr.authorId;
}

/** Only the request's author (or an admin) edits it, and only while it is open for edits. */
export function assertCanEdit(actor: Actor, cr: { authorId: string | null; state: TChangeState }) {
  if (!hasAnyRole(actor, ["author"])) throw forbidden("this action needs the author role");
  if (!isAuthorOf(actor, cr) && !hasAnyRole(actor, ["admin"])) throw forbidden("only the author of a change request can change it");
  if (!EDITABLE_STATES.includes(cr.state)) throw conflict(`the change request is ${cr.state}; it can no longer be changed`);
}

export interface AllowedActions {
  edit: boolean;
  submit: boolean;
  withdraw: boolean;
  approve: boolean;
  reject: boolean;
  publish: boolean;
  rebase: boolean;
  comment: boolean;
}

export function allowedActions(
  actor: Actor,
  cr: { authorId: string | null; state: TChangeState; round: number },
  approvals: Array<{ userId: string; round: number }>,
  approvalsMet: boolean,
  itemCount: number,
): AllowedActions {
  const author = isAuthorOf(actor, cr);
  const owner = hasAnyRole(actor, ["author"]) && (author || hasAnyRole(actor, ["admin"]));
  const approver = hasAnyRole(actor, ["approver"]);
  const uid = actorUserId(actor);
  const reviewed = approvals.some((a) => a.round === cr.round && a.userId === uid);
  return {
    edit: owner && EDITABLE_STATES.includes(cr.state),
    submit: owner && cr.state === "draft" && itemCount > 0,
    withdraw: owner && OPEN_STATES.includes(cr.state),
    approve: approver && !author && !reviewed && cr.state === "submitted",
    reject: approver && !author && !reviewed && (cr.state === "submitted" || cr.state === "approved"),
    publish: approver && cr.state === "approved" && approvalsMet,
    rebase: owner && cr.state === "conflicted",
    comment: cr.state !== "withdrawn",
  };
}

export function presentSummary(cr: {
  id: string;
  number: number;
  clusterId: string;
  title: string;
  description: string;
  state: TChangeState;
  authorId: string | null;
  authorName: string;
  baseRevision: number;
  round: number;
  rollbackOf: number | null;
  publishedRevision: number | null;
  conflicts: unknown;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  decidedAt: Date | null;
  publishedAt: Date | null;
}, clusterName: string) {
  return {
    id: cr.id,
    number: cr.number,
    cluster: clusterName,
    title: cr.title,
    description: cr.description,
    state: cr.state,
    authorId: cr.authorId,
    authorName: cr.authorName,
    baseRevision: cr.baseRevision,
    round: cr.round,
    rollbackOf: cr.rollbackOf,
    publishedRevision: cr.publishedRevision,
    conflicts: (cr.conflicts as Array<{ kind: string; namespace: string; name: string; baseVersion: number; currentVersion: number }> | null) ?? null,
    createdAt: cr.createdAt.toISOString(),
    updatedAt: cr.updatedAt.toISOString(),
    submittedAt: cr.submittedAt?.toISOString() ?? null,
    decidedAt: cr.decidedAt?.toISOString() ?? null,
    publishedAt: cr.publishedAt?.toISOString() ?? null,
  };
}

export function requireUser(actor: Actor): string {
  const uid = actorUserId(actor);
  if (!uid) throw new ServiceError("forbidden", "change requests are made by users (sign in or use a personal API token)");
  return uid;
}
