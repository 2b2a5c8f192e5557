import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { authorise } from "../authorise";
import { clusterByName } from "../changes/store";

/** Revision history of a cluster, newest first: who published what, from which request. */
export async function listRevisions(ctx: RequestContext, clusterName: string, input: { page?: number; pageSize?: number }) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const page = input.page ?? 1;
  const pageSize = input.pageSize ?? 25;
  const where = { clusterId: cluster.id };
  const [total, rows] = await db().$transaction([
    db().revision.count({ where }),
    db().revision.findMany({
      where,
      orderBy: { number: "desc" },
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: { number: true, title: true, publishedAt: true, publishedByName: true, changeRequestId: true, resourceCount: true, bundleSha256: true, bundleKeyId: true, changes: true },
    }),
  ]);
  const crs = await db().changeRequest.findMany({ where: { id: { in: rows.map((r) => r.changeRequestId).filter((x): x is string => !!x) } }, select: { id: true, number: true } });
  const numbers = new Map(crs.map((c) => [c.id, c.number]));
  return {
    cluster: cluster.name,
    current: rows[0]?.number ?? (total === 0 ? 0 : null),
    items: rows.map((r) => ({
      number: r.number,
      title: r.title,
      publishedAt: r.publishedAt.toISOString(),
      publishedBy: r.publishedByName,
      changeRequestId: r.changeRequestId,
      changeRequestNumber: r.changeRequestId ? (numbers.get(r.changeRequestId) ?? null) : null,
      resourceCount: r.resourceCount,
      changeCount: (r.changes as unknown[]).length,
      bundleSha256: r.bundleSha256,
      keyId: r.bundleKeyId,
    })),
    total,
    page,
    pageSize,
  };
}
