import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { authorise } from "../authorise";
import { resourceDiff } from "../changes/present-diff";
import { clusterByName } from "../changes/store";
import { notFound } from "../errors";

interface StoredChange {
  op: "create" | "update" | "delete";
  kind: string;
  namespace: string;
  name: string;
  fromVersion: number;
  toVersion: number;
  before: unknown;
  after: unknown;
}

/** One published revision with the YAML diff of every resource it changed. */
export async function getRevision(ctx: RequestContext, clusterName: string, number: number) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const r = await db().revision.findUnique({ where: { clusterId_number: { clusterId: cluster.id, number } } });
  if (!r) throw notFound(`revision ${number} of cluster "${clusterName}"`);
  const cr = r.changeRequestId ? await db().changeRequest.findUnique({ where: { id: r.changeRequestId }, select: { number: true } }) : null;
  return {
    cluster: cluster.name,
    number: r.number,
    title: r.title,
    publishedAt: r.publishedAt.toISOString(),
    publishedBy: r.publishedByName,
    changeRequestId: r.changeRequestId,
    changeRequestNumber: cr?.number ?? null,
    resourceCount: r.resourceCount,
    bundleSha256: r.bundleSha256,
    keyId: r.bundleKeyId,
    changes: (r.changes as unknown as StoredChange[]).map((c) => ({
      op: c.op,
      kind: c.kind,
      namespace: c.namespace,
      name: c.name,
      fromVersion: c.fromVersion,
      toVersion: c.toVersion,
      ...resourceDiff(c.before, c.after),
    })),
  };
}
