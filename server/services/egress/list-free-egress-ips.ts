import type { RequestContext } from "../../auth/actor";
import { allocateEgressIps, egressAssignmentKey } from "../../policy/egress-allocation";
import { countRanges, freePoolRanges, ipv4ToNumber, rangesContain, rangesFrom, sliceRanges, usablePoolRanges } from "../../policy/egress-space";
import type { TEgressAssignment, TEgressIPPool } from "../../policy/resources";
import { authorise } from "../authorise";
import { loadStateWithDraft } from "../changes/draft-state";
import { clusterByName, storedResource } from "../changes/store";
import { notFound } from "../errors";

export interface ListFreeEgressIpsInput {
  page?: number;
  pageSize?: number;
  /** List free addresses at or after this IPv4 address. */
  from?: string;
  /** The assignment being edited (namespace and name): its own address counts as free, and `auto` says what it would get. */
  namespace?: string;
  name?: string;
}

/**
 * Free egress IPs of a pool, computed with the engine's allocation over the published state plus
 * the caller's draft, so an address already taken in the draft is not offered. Also lists who
 * holds each assigned address of the pool (for "is assigned to namespace …" as the user types)
 * and, for the assignment being edited, the address auto-allocation would give it and any
 * auto-allocated assignment that would move as a result. Server-paginated in address order.
 */
export async function listFreeEgressIps(ctx: RequestContext, clusterName: string, poolName: string, input: ListFreeEgressIpsInput) {
  const actor = authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const state = await loadStateWithDraft(cluster.id, actor);
  const pools: TEgressIPPool[] = [];
  const assignments: Array<{ a: TEgressAssignment; inDraft: boolean }> = [];
  for (const [k, doc] of state.resulting) {
    if (doc.kind !== "EgressIPPool" && doc.kind !== "EgressAssignment") continue;
    const r = storedResource(doc);
    if (r.kind === "EgressIPPool") pools.push(r);
    else if (r.kind === "EgressAssignment") assignments.push({ a: r, inDraft: state.drafted.has(k) });
  }
  const pool = pools.find((p) => p.metadata.name === poolName);
  if (!pool) throw notFound(`egress IP pool "${poolName}"`);
  const poolInDraft = state.drafted.has(`EgressIPPool//${poolName}`);

  const editing = input.namespace !== undefined && input.name !== undefined ? `${input.namespace}/${input.name}` : null;
  const others = assignments.filter((x) => egressAssignmentKey(x.a) !== editing);
  const allocation = allocateEgressIps(pools, others.map((x) => x.a));
  const ipOf = (a: TEgressAssignment) => {
    const r = allocation.get(egressAssignmentKey(a));
    return r && "ip" in r ? r.ip : null;
  };

  const usable = usablePoolRanges(pool.spec);
  const taken = others.map((x) => ipOf(x.a)).filter((ip): ip is string => ip !== null);
  const free = freePoolRanges(pool.spec, taken);
  const assigned = others
    .map((x) => ({ x, ip: ipOf(x.a) }))
    .filter(({ x, ip }) => ip !== null && (x.a.spec.pool === poolName || rangesContain(usable, ipv4ToNumber(ip)!)))
    .map(({ x, ip }) => ({ ip: ip!, namespace: x.a.metadata.namespace ?? "default", name: x.a.metadata.name, pool: x.a.spec.pool, requested: x.a.spec.ip !== undefined, inDraft: x.inDraft }))
    .sort((a, b) => ipv4ToNumber(a.ip)! - ipv4ToNumber(b.ip)!);

  let auto: { ip: string | null; problem: string | null; moves: Array<{ namespace: string; name: string; from: string; to: string | null }> } | null = null;
  if (editing) {
    const candidate: TEgressAssignment = {
      apiVersion: "portcullis.dev/v1",
      kind: "EgressAssignment",
      metadata: { name: input.name!, namespace: input.namespace! },
      spec: { pool: poolName },
    };
    const after = allocateEgressIps(pools, [...others.map((x) => x.a), candidate]);
    const mine = after.get(egressAssignmentKey(candidate));
    const moves = others.flatMap((x) => {
      const before = ipOf(x.a);
      const now = after.get(egressAssignmentKey(x.a));
      const to = now && "ip" in now ? now.ip : null;
      return before !== null && before !== to ? [{ namespace: x.a.metadata.namespace ?? "default", name: x.a.metadata.name, from: before, to }] : [];
    });
    auto = { ip: mine && "ip" in mine ? mine.ip : null, problem: mine && "problem" in mine ? mine.problem : null, moves };
  }

  const from = input.from !== undefined ? ipv4ToNumber(input.from) : null;
  const listed = from !== null ? rangesFrom(free, from) : free;
  const page = input.page ?? 1;
  const pageSize = input.pageSize ?? 50;
  return {
    cluster: cluster.name,
    pool: {
      name: pool.metadata.name,
      cidrs: pool.spec.cidrs,
      exclude: pool.spec.exclude ?? [],
      gatewayNodeSelector: pool.spec.gatewayNodeSelector ?? "all()",
      description: pool.spec.description ?? "",
      inDraft: poolInDraft,
    },
    draft: state.draft,
    usable: countRanges(usable),
    free: countRanges(free),
    assigned,
    auto,
    items: sliceRanges(listed, (page - 1) * pageSize, pageSize),
    total: countRanges(listed),
    page,
    pageSize,
  };
}
