import { actorUserId, type RequestContext } from "../../auth/actor";
import { db, type Prisma } from "../../db";
import type { TChangeState } from "../../policy/changes";
import { authorise } from "../authorise";
import { presentSummary } from "./requests";
import { clusterByName } from "./store";

export interface ListChangeRequestsInput {
  cluster?: string;
  state?: TChangeState[];
  q?: string;
  mine?: boolean;
  page?: number;
  pageSize?: number;
}

/** Change requests, newest first, filtered by cluster, states, text and author; server-paginated. */
export async function listChangeRequests(ctx: RequestContext, input: ListChangeRequestsInput) {
  const actor = authorise(ctx, "authenticated");
  const where: Prisma.ChangeRequestWhereInput = {};
  if (input.cluster) where.clusterId = (await clusterByName(input.cluster)).id;
  if (input.state?.length) where.state = { in: input.state };
  if (input.q) where.OR = [{ title: { contains: input.q, mode: "insensitive" } }, { authorName: { contains: input.q, mode: "insensitive" } }];
  if (input.mine) where.authorId = actorUserId(actor) ?? "none";
  const page = input.page ?? 1;
  const pageSize = input.pageSize ?? 25;
  const [total, rows, clusters] = await db().$transaction([
    db().changeRequest.count({ where }),
    db().changeRequest.findMany({
      where,
      orderBy: [{ number: "desc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      include: { _count: { select: { items: true } } },
    }),
    db().cluster.findMany({ select: { id: true, name: true } }),
  ]);
  const names = new Map(clusters.map((c) => [c.id, c.name]));
  return {
    items: rows.map((r) => ({ ...presentSummary(r, names.get(r.clusterId) ?? "?"), changes: r._count.items })),
    total,
    page,
    pageSize,
  };
}
