import type { RequestContext } from "../../auth/actor";
import { REVISIONS_CHANNEL } from "../../db/notify";
import { appendAudit } from "../../audit/append";
import { db, Prisma, type Tx } from "../../db";
import { BUNDLE_FORMAT, signBundle } from "../../policy/bundle";
import { authorise } from "../authorise";
import { conflict, invalid, notFound } from "../errors";
import { approvalSettings } from "../settings/approval-settings";
import { ensureSigningKey, signingKeyIn } from "../signing/signing-key";
import { enqueueWebhookEvent } from "../webhooks/outbox";
import { lockRequest, plannedChanges, requiredApprovals, tiersTouched, OPEN_STATES } from "./requests";
import { compareKeys, keyString, labelsOfDocument, loadStore, resultingResources, staleChanges, validateRequest, type LiveResource } from "./store";


type Outcome =
  | { kind: "published"; revision: number; cluster: string; bundleSha256: string; conflicted: string[] }
  | { kind: "conflict"; conflicts: ReturnType<typeof staleChanges> };

/**
 * Publishes an approved change request as revision N+1 of its cluster, in one transaction:
 * lock the cluster (publishes of one cluster are serialised), check every base version, write
 * the new resource versions, create the revision with its change list and signed bundle, mark
 * other open requests that touch the same resources as conflicted, append the audit row,
 * queue webhooks and NOTIFY `portcullis_revisions` with `<cluster>:<revision>`.
 *
 * When a base version moved, the request becomes `conflicted` (committed, audited as a failed
 * publish) and the call fails with 409: two racing publishes give two consecutive revisions or
 * one conflict, never a lost change.
 */
export async function publishChangeRequest(ctx: RequestContext, id: string, opts: { automatic?: boolean } = {}) {
  authorise(ctx, ["approver"]);
  await ensureSigningKey();
  const outcome = await db().$transaction((tx) => publishInTx(tx, ctx, id, opts), { timeout: 60_000, maxWait: 30_000 });
  if (outcome.kind === "conflict") {
    throw conflict("the resources changed since this request was based on them; rebase it and review again", { conflicts: outcome.conflicts });
  }
  return { revision: outcome.revision, cluster: outcome.cluster, bundleSha256: outcome.bundleSha256, conflicted: outcome.conflicted };
}

async function publishInTx(tx: Tx, ctx: RequestContext, id: string, opts: { automatic?: boolean }): Promise<Outcome> {
  const pre = await tx.changeRequest.findUnique({ where: { id }, select: { clusterId: true } });
  if (!pre) throw notFound("change request");
  // Lock order: cluster, then request. Every publish of this cluster waits here.
  await tx.$queryRaw`SELECT id FROM clusters WHERE id = ${pre.clusterId}::uuid FOR UPDATE`;
  const cr = await lockRequest(tx, id);
  const cluster = await tx.cluster.findUniqueOrThrow({ where: { id: cr.clusterId } });
  if (cr.state !== "approved") throw conflict(`only an approved change request can be published (this one is ${cr.state})`);
  const changes = plannedChanges(cr.items);
  if (changes.length === 0) throw conflict("the change request has no changes");

  const store = await loadStore(cluster.id, tx);
  const beforeOf = (k: string) => store.get(k)?.document ?? null;
  const settings = await approvalSettings(tx);
  const needed = requiredApprovals(settings, tiersTouched(changes, (c) => beforeOf(keyString(c.key))));
  const approvals = await tx.changeApproval.count({ where: { changeRequestId: id, round: cr.round, decision: "approve" } });
  if (approvals < needed) throw conflict(`this request needs ${needed} approval(s) and has ${approvals}`);

  const stale = staleChanges(store, changes);
  if (stale.length) {
    await tx.changeRequest.update({ where: { id }, data: { state: "conflicted", conflicts: stale as unknown as Prisma.InputJsonValue } });
    await appendAudit(tx, ctx, {
      action: "change.publish",
      outcome: "failure",
      target: { type: "change_request", id },
      details: { reason: "conflict", conflicts: stale, cluster: cluster.name },
    });
    return { kind: "conflict", conflicts: stale };
  }
  const errors = validateRequest(store, changes);
  if (errors.length) throw invalid(errors);

  const last = await tx.revision.findFirst({ where: { clusterId: cluster.id }, orderBy: { number: "desc" }, select: { number: true } });
  const number = (last?.number ?? 0) + 1;
  const now = new Date();

  // New resource versions (tombstones for deletes), written in one statement.
  const rows = changes.map((c) => {
    const prior: LiveResource | undefined = store.get(keyString(c.key));
    return {
      c,
      prior,
      version: (prior?.version ?? 0) + 1,
    };
  });
  await tx.$executeRaw`
    INSERT INTO policy_resources (cluster_id, kind, namespace, name, version, revision, deleted, labels, document, updated_at)
    SELECT ${cluster.id}::uuid, k, ns, n, v, ${number}, d, l::jsonb, doc::jsonb, ${now}
    FROM unnest(${rows.map((r) => r.c.key.kind)}::text[], ${rows.map((r) => r.c.key.namespace)}::text[], ${rows.map((r) => r.c.key.name)}::text[],
                ${rows.map((r) => r.version)}::int[], ${rows.map((r) => r.c.op === "delete")}::boolean[],
                ${rows.map((r) => JSON.stringify(r.c.document ? labelsOfDocument(r.c.document) : {}))}::text[],
                ${rows.map((r) => (r.c.document ? JSON.stringify(r.c.document) : null))}::text[]) AS t(k, ns, n, v, d, l, doc)
    ON CONFLICT (cluster_id, kind, namespace, name) DO UPDATE SET
      version = EXCLUDED.version, revision = EXCLUDED.revision, deleted = EXCLUDED.deleted,
      labels = EXCLUDED.labels, document = EXCLUDED.document, updated_at = EXCLUDED.updated_at`;

  const resulting = resultingResources(store, changes);
  const resources = [...resulting.values()].sort((a, b) => {
    const ka = { kind: a.kind as string, namespace: ((a.metadata as { namespace?: string }).namespace ?? ""), name: (a.metadata as { name: string }).name };
    const kb = { kind: b.kind as string, namespace: ((b.metadata as { namespace?: string }).namespace ?? ""), name: (b.metadata as { name: string }).name };
    return compareKeys(ka, kb);
  });
  const key = await signingKeyIn(tx);
  const signed = signBundle({ format: BUNDLE_FORMAT, cluster: cluster.name, revision: number, publishedAt: now.toISOString(), resources }, key.secretKeyHex);
  const changeList = rows.map((r) => ({
    op: r.c.op,
    kind: r.c.key.kind,
    namespace: r.c.key.namespace,
    name: r.c.key.name,
    fromVersion: r.prior?.version ?? 0,
    toVersion: r.version,
    before: r.prior && !r.prior.deleted ? r.prior.document : null,
    after: r.c.document,
  }));
  const actor = ctx.actor!;
  await tx.revision.create({
    data: {
      clusterId: cluster.id,
      number,
      changeRequestId: id,
      title: cr.title,
      publishedAt: now,
      publishedById: actor.id,
      publishedByName: actor.name,
      changes: changeList as unknown as Prisma.InputJsonValue,
      resourceCount: resources.length,
      bundlePayload: signed.payload,
      bundleSignature: signed.signature,
      bundleKeyId: signed.keyId,
      bundleSha256: signed.sha256,
    },
  });
  await tx.changeRequest.update({ where: { id }, data: { state: "published", publishedRevision: number, publishedAt: now, conflicts: Prisma.DbNull } });

  // Other open requests touching the same resources now rest on a base that moved.
  const touched = new Set(changes.map((c) => keyString(c.key)));
  const others = await tx.changeItem.findMany({
    where: { changeRequest: { clusterId: cluster.id, id: { not: id }, state: { in: OPEN_STATES.filter((s) => s !== "conflicted") } } },
    select: { changeRequestId: true, kind: true, namespace: true, name: true, baseVersion: true },
  });
  const conflictsByRequest = new Map<string, Array<{ kind: string; namespace: string; name: string; baseVersion: number; currentVersion: number }>>();
  const newVersion = new Map(rows.map((r) => [keyString(r.c.key), r.version]));
  for (const it of others) {
    const k = keyString(it);
    if (!touched.has(k)) continue;
    const list = conflictsByRequest.get(it.changeRequestId) ?? [];
    list.push({ kind: it.kind, namespace: it.namespace, name: it.name, baseVersion: it.baseVersion, currentVersion: newVersion.get(k)! });
    conflictsByRequest.set(it.changeRequestId, list);
  }
  for (const [otherId, list] of conflictsByRequest) {
    await tx.changeRequest.update({ where: { id: otherId }, data: { state: "conflicted", conflicts: list as unknown as Prisma.InputJsonValue } });
  }

  await appendAudit(tx, ctx, {
    action: "change.publish",
    target: { type: "change_request", id },
    after: { cluster: cluster.name, revision: number, bundleSha256: signed.sha256, keyId: signed.keyId },
    details: {
      automatic: opts.automatic ?? false,
      changes: changeList.map((c) => ({ op: c.op, kind: c.kind, namespace: c.namespace, name: c.name, fromVersion: c.fromVersion, toVersion: c.toVersion })),
      conflictedRequests: [...conflictsByRequest.keys()],
    },
  });
  await enqueueWebhookEvent(tx, "change.published", {
    changeRequest: { id, number: cr.number, title: cr.title },
    cluster: cluster.name,
    revision: number,
    bundleSha256: signed.sha256,
    publishedBy: actor.name,
  });
  await tx.$executeRaw`SELECT pg_notify(${REVISIONS_CHANNEL}, ${`${cluster.name}:${number}`})`;
  return { kind: "published", revision: number, cluster: cluster.name, bundleSha256: signed.sha256, conflicted: [...conflictsByRequest.keys()] };
}
