import type { RequestContext } from "../../auth/actor";
import { db, Prisma } from "../../db";
import { authorise } from "../authorise";
import { clusterByName, currentRevisionNumber } from "../changes/store";

export interface ListResourcesInput {
  kind?: string;
  namespace?: string;
  /** `key` (has the label) or `key=value`. */
  label?: string;
  q?: string;
  /** kind (kind, namespace, name; the default), name (name, namespace, kind) or updated (most recently changed first). */
  sort?: "kind" | "name" | "updated";
  page?: number;
  pageSize?: number;
}

const ORDER: Record<NonNullable<ListResourcesInput["sort"]>, Prisma.PolicyResourceOrderByWithRelationInput[]> = {
  kind: [{ kind: "asc" }, { namespace: "asc" }, { name: "asc" }],
  name: [{ name: "asc" }, { namespace: "asc" }, { kind: "asc" }],
  updated: [{ updatedAt: "desc" }, { kind: "asc" }, { namespace: "asc" }, { name: "asc" }],
};

/**
 * The cluster's current resources (the latest published revision), filtered by kind, namespace,
 * label and text, sorted by kind, namespace, name (or by name, or most recently changed first); server-paginated. Each carries its version and
 * the revision that last changed it.
 */
export async function listResources(ctx: RequestContext, clusterName: string, input: ListResourcesInput) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const where: Prisma.PolicyResourceWhereInput = { clusterId: cluster.id, deleted: false };
  if (input.kind) where.kind = input.kind;
  if (input.namespace !== undefined) where.namespace = input.namespace;
  if (input.q) where.name = { contains: input.q, mode: "insensitive" };
  if (input.label) {
    const eq = input.label.indexOf("=");
    where.labels = eq >= 0 ? { path: [input.label.slice(0, eq)], equals: input.label.slice(eq + 1) } : { path: [input.label], not: Prisma.AnyNull };
  }
  const page = input.page ?? 1;
  const pageSize = input.pageSize ?? 50;
  const [total, rows] = await db().$transaction([
    db().policyResource.count({ where }),
    db().policyResource.findMany({ where, orderBy: ORDER[input.sort ?? "kind"], skip: (page - 1) * pageSize, take: pageSize }),
  ]);
  return {
    cluster: cluster.name,
    revision: await currentRevisionNumber(cluster.id),
    items: rows.map((r) => ({
      kind: r.kind,
      namespace: r.namespace || null,
      name: r.name,
      labels: r.labels as Record<string, string>,
      version: r.version,
      revision: r.revision,
      updatedAt: r.updatedAt.toISOString(),
    })),
    total,
    page,
    pageSize,
  };
}
