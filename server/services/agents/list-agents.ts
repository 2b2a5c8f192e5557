import type { RequestContext } from "../../auth/actor";
import { db, type Prisma } from "../../db";
import { authorise } from "../authorise";
import { clusterByName } from "../changes/store";

export const AGENT_STATUSES = ["all", "current", "behind", "error", "stale", "revoked"] as const;
export const AGENT_SORTS = ["node", "heartbeat", "revision"] as const;
/** An agent that has not reported for this long is stale. */
export const STALE_AFTER_MS = 2 * 60_000;

export interface ListAgentsInput {
  q?: string;
  status?: (typeof AGENT_STATUSES)[number];
  sort?: (typeof AGENT_SORTS)[number];
  dir?: "asc" | "desc";
  page?: number;
  pageSize?: number;
}

/**
 * A cluster's agents, server-paginated, sortable and filterable (node name; current, behind the
 * published revision, reporting an error, stale, revoked), with counts per status for the whole
 * cluster. "Current" means the agent reports the published revision with its bundle hash.
 */
export async function listAgents(ctx: RequestContext, clusterName: string, input: ListAgentsInput) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const { head, published, staleBefore, byStatus } = await agentFilters(cluster.id);
  const base: Prisma.AgentWhereInput = { clusterId: cluster.id, ...(input.q ? { nodeName: { contains: input.q, mode: "insensitive" } } : {}) };
  const where: Prisma.AgentWhereInput = { AND: [base, byStatus[input.status ?? "all"]] };
  const dir = input.dir ?? (input.sort === "heartbeat" ? "desc" : "asc");
  const orderBy: Prisma.AgentOrderByWithRelationInput[] =
    input.sort === "heartbeat"
      ? [{ lastHeartbeatAt: { sort: dir, nulls: "last" } }, { nodeName: "asc" }]
      : input.sort === "revision"
        ? [{ appliedRevision: { sort: dir, nulls: "first" } }, { nodeName: "asc" }]
        : [{ nodeName: dir }];
  const pageSize = input.pageSize ?? 50;
  const page = input.page ?? 1;
  const [rows, total, counts] = await Promise.all([
    db().agent.findMany({ where, orderBy, skip: (page - 1) * pageSize, take: pageSize }),
    db().agent.count({ where }),
    countAgentsByStatus(cluster.id, byStatus),
  ]);
  return {
    cluster: cluster.name,
    publishedRevision: published,
    total,
    page,
    pageSize,
    counts,
    items: rows.map((a) => {
      const report = (a.report ?? {}) as { rules?: number | null; sets?: number | null; setElements?: number | null; counters?: Record<string, number> };
      return {
        id: a.id,
        nodeName: a.nodeName,
        version: a.version,
        registeredAt: a.registeredAt.toISOString(),
        lastHeartbeatAt: a.lastHeartbeatAt?.toISOString() ?? null,
        stale: a.revokedAt === null && (a.lastHeartbeatAt === null || a.lastHeartbeatAt < staleBefore),
        appliedRevision: a.appliedRevision,
        appliedAt: a.appliedAt?.toISOString() ?? null,
        behind: a.appliedRevision === null ? published : Math.max(0, published - a.appliedRevision),
        current: head ? a.appliedRevision === published && a.appliedBundleSha256 === head.bundleSha256 : a.appliedRevision === null || a.appliedRevision === 0,
        lastError: a.lastError,
        rules: report.rules ?? null,
        sets: report.sets ?? null,
        setElements: report.setElements ?? null,
        packets: Object.values(report.counters ?? {}).reduce((x, y) => x + y, 0),
        revoked: a.revokedAt !== null,
      };
    }),
  };
}

type AgentStatus = (typeof AGENT_STATUSES)[number];

/** Prisma filters for each agent status of a cluster, against its published revision. */
async function agentFilters(clusterId: string) {
  const head = await db().revision.findFirst({ where: { clusterId: clusterId }, orderBy: { number: "desc" }, select: { number: true, bundleSha256: true } });
  const published = head?.number ?? 0;
  const staleBefore = new Date(Date.now() - STALE_AFTER_MS);
  const active: Prisma.AgentWhereInput = { revokedAt: null };
  const current: Prisma.AgentWhereInput = head
    ? { appliedRevision: published, appliedBundleSha256: head.bundleSha256 }
    : { OR: [{ appliedRevision: null }, { appliedRevision: 0 }] };
  const byStatus: Record<AgentStatus, Prisma.AgentWhereInput> = {
    all: {},
    current: { AND: [active, current] },
    // SQL's NOT over NULL columns is NULL: an agent that never applied anything is behind too.
    behind: { AND: [active, head ? { OR: [{ appliedRevision: null }, { appliedBundleSha256: null }, { NOT: current }] } : { NOT: current }] },
    error: { AND: [active, { lastError: { not: null } }] },
    stale: { AND: [active, { OR: [{ lastHeartbeatAt: null }, { lastHeartbeatAt: { lt: staleBefore } }] }] },
    revoked: { revokedAt: { not: null } },
  };
  return { head, published, staleBefore, byStatus };
}

async function countAgentsByStatus(clusterId: string, byStatus: Record<AgentStatus, Prisma.AgentWhereInput>): Promise<Record<AgentStatus, number>> {
  const counted = await Promise.all(AGENT_STATUSES.map((s) => db().agent.count({ where: { AND: [{ clusterId }, byStatus[s]] } })));
  return Object.fromEntries(AGENT_STATUSES.map((s, i) => [s, counted[i]!])) as Record<AgentStatus, number>;
}

/** Agents of a cluster per status (current, behind, error, stale, revoked, all). */
export async function agentStatusCounts(clusterId: string): Promise<Record<AgentStatus, number>> {
  return countAgentsByStatus(clusterId, (await agentFilters(clusterId)).byStatus);
}
