import type { RequestContext } from "../../auth/actor";
import { db, Prisma } from "../../db";
import { authorise } from "../authorise";
import { clusterByName } from "../changes/store";

export interface ListPodsInput {
  namespace?: string;
  /** Label filters: `key=value` (equality) or `key` (present). All must hold. */
  label?: string[];
  q?: string;
  node?: string;
  sort?: "name" | "namespace" | "node";
  dir?: "asc" | "desc";
  page?: number;
  pageSize?: number;
}

export function presentPod(p: {
  namespace: string;
  name: string;
  labels: unknown;
  serviceAccount: string;
  nodeName: string;
  podIps: string[];
  ports: unknown;
  phase: string;
  updatedAt: Date;
}) {
  return {
    namespace: p.namespace,
    name: p.name,
    labels: p.labels as Record<string, string>,
    serviceAccount: p.serviceAccount,
    nodeName: p.nodeName,
    podIps: p.podIps,
    ports: p.ports as Array<{ name: string; port: number; protocol: string }>,
    phase: p.phase,
    updatedAt: p.updatedAt.toISOString(),
  };
}
export type TInventoryPod = ReturnType<typeof presentPod>;

/** Pods of a cluster as its agents report them: server-paginated, sortable, filterable by label. */
export async function listPods(ctx: RequestContext, clusterName: string, input: ListPodsInput) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const conds: Prisma.Sql[] = [Prisma.sql`cluster_id = ${cluster.id}::uuid`];
  if (input.namespace) conds.push(Prisma.sql`namespace = ${input.namespace}`);
  if (input.node) conds.push(Prisma.sql`node_name = ${input.node}`);
  if (input.q) conds.push(Prisma.sql`(name ILIKE ${"%" + input.q.replace(/[\\%_]/g, (c) => "\\" + c) + "%"} OR ${input.q} = ANY(pod_ips))`);
  for (const f of input.label ?? []) {
    const eq = f.indexOf("=");
    if (eq >= 0) conds.push(Prisma.sql`labels ->> ${f.slice(0, eq)} = ${f.slice(eq + 1)}`);
    else conds.push(Prisma.sql`labels ? ${f}`);
  }
  const where = Prisma.join(conds, " AND ");
  const pageSize = input.pageSize ?? 50;
  const page = input.page ?? 1;
  const col = input.sort === "node" ? Prisma.sql`node_name` : input.sort === "name" ? Prisma.sql`name` : Prisma.sql`namespace`;
  const dir = input.dir === "desc" ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  const [count, rows] = await Promise.all([
    db().$queryRaw<Array<{ n: bigint }>>`SELECT count(*)::bigint AS n FROM inventory_pods WHERE ${where}`,
    db().$queryRaw<
      Array<{ namespace: string; name: string; labels: unknown; service_account: string; node_name: string; pod_ips: string[] | null; ports: unknown; phase: string; updated_at: Date }>
    >`SELECT namespace, name, labels, service_account, node_name, pod_ips, ports, phase, updated_at FROM inventory_pods
      WHERE ${where} ORDER BY ${col} ${dir}, namespace, name LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
  ]);
  return {
    items: rows.map((r) =>
      presentPod({ namespace: r.namespace, name: r.name, labels: r.labels, serviceAccount: r.service_account, nodeName: r.node_name, podIps: r.pod_ips ?? [], ports: r.ports, phase: r.phase, updatedAt: r.updated_at }),
    ),
    total: Number(count[0]?.n ?? 0),
    page,
    pageSize,
  };
}
