import type { RequestContext } from "../../auth/actor";
import { compareBytes, compileSnapshot, endpointLabelsForPod, isPolicy, SelectorIndex, type CompiledSnapshot } from "../../policy";

type CompiledPolicy = CompiledSnapshot["policies"][number];
import { authorise } from "../authorise";
import { clusterByName, currentRevisionNumber, keyOf, keyString } from "../changes/store";
import { loadInventory } from "../inventory/load-inventory";
import { loadPolicyState } from "./policy-state";

export const BOARD_KINDS = ["namespaced", "global", "staged"] as const;
export const BOARD_SORTS = ["evaluation", "name", "pods", "order"] as const;
export const BOARD_PAGE_SIZE = 100;
export const BOARD_MAX_PAGE_SIZE = 500;

export interface PolicyBoardQuery {
  /** Case-insensitive text over name, namespace and selector (as written and effective). */
  q?: string;
  /** namespaced: NetworkPolicy; global: GlobalNetworkPolicy; staged: both staged kinds. */
  kind?: (typeof BOARD_KINDS)[number];
  tier?: string;
  /** evaluation (default): tiers in order, policies in Calico's order, grouped by tier. */
  sort?: (typeof BOARD_SORTS)[number];
  /** Ignored for evaluation order; pods sorts descending unless asked otherwise. */
  dir?: "asc" | "desc";
  limit?: number;
  offset?: number;
  /** An open change request of the cluster: the board as it would be with its changes applied. */
  changeRequest?: string;
  /** Apply the caller's own open draft for the cluster, if they have one (one round trip for editors). */
  withDraft?: boolean;
}

const KINDS: Record<(typeof BOARD_KINDS)[number], ReadonlySet<string>> = {
  namespaced: new Set(["NetworkPolicy"]),
  global: new Set(["GlobalNetworkPolicy"]),
  staged: new Set(["StagedNetworkPolicy", "StagedGlobalNetworkPolicy"]),
};

const refKey = (p: CompiledPolicy) => keyString({ kind: p.ref.kind, namespace: p.ref.namespace ?? "", name: p.ref.name });

interface Ranked {
  p: CompiledPolicy;
  /** 1-based position in evaluation order over all policies. */
  position: number;
  tierIndex: number;
  selector: string;
}

/**
 * The policy board: the policies of a cluster (published, or with an open change request
 * applied) in evaluation order (tiers by order then name; policies by order, nil last, then
 * name/namespace/kind — Calico's order), with their type, selector, rule counts and how many of
 * the inventory's pods each selects (the effective selector, namespace-scoped as Calico scopes
 * it). Filtered (text, kind, tier), sorted and paginated here, so a page costs the same with
 * 20 or 20 000 policies in the browser.
 *
 * `policies` is the page in the requested order. In evaluation order `tiers` groups that page by
 * tier (the shape the board always had), each tier with its matching total and the policies just
 * before and after the page in that tier (what a drag to the page's edge is placed between); in
 * the other sorts `tiers` is empty. `total` counts the matching policies, `totalPolicies` all.
 */
export async function getPolicyBoard(ctx: RequestContext, clusterName: string, query: PolicyBoardQuery = {}) {
  const actor = authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const [state, inventory, revision] = await Promise.all([loadPolicyState(cluster, query.changeRequest, { draftOf: query.withDraft ? actor : null }), loadInventory(cluster.id), currentRevisionNumber(cluster.id)]);
  const { store, resources, request } = state;
  const compiled = compileSnapshot({ resources });
  const userTiers = new Set(resources.filter((r) => r.kind === "Tier").map((r) => r.metadata.name));

  // Evaluation order over everything, once.
  const byTier = new Map<string, CompiledPolicy[]>();
  for (const p of compiled.policies) {
    const list = byTier.get(p.tier);
    if (list) list.push(p);
    else byTier.set(p.tier, [p]);
  }
  const ranked: Ranked[] = [];
  compiled.tiers.forEach((t, tierIndex) => {
    const list = (byTier.get(t.name) ?? []).sort((a, b) => {
      const ao = a.order ?? Number.POSITIVE_INFINITY;
      const bo = b.order ?? Number.POSITIVE_INFINITY;
      return ao !== bo ? ao - bo : compareBytes(a.sortKey, b.sortKey);
    });
    for (const p of list) ranked.push({ p, position: ranked.length + 1, tierIndex, selector: p.selector.toString() });
  });

  // Filters.
  const writtenSelector = new Map<string, string>();
  for (const r of resources) if (isPolicy(r)) writtenSelector.set(keyString(keyOf(r)), r.spec.selector ?? "");
  const needle = query.q?.trim().toLowerCase() ?? "";
  const kinds = query.kind ? KINDS[query.kind] : null;
  const matching = ranked.filter(({ p, selector }) => {
    if (kinds && !kinds.has(p.ref.kind)) return false;
    if (query.tier && p.tier !== query.tier) return false;
    if (!needle) return true;
    const written = writtenSelector.get(refKey(p)) ?? "";
    return (
      p.ref.name.toLowerCase().includes(needle) ||
      (p.ref.namespace ?? "").toLowerCase().includes(needle) ||
      selector.toLowerCase().includes(needle) ||
      written.toLowerCase().includes(needle)
    );
  });

  // Pods selected: only for the page, unless the sort needs every count.
  const index = new SelectorIndex(inventory.pods.map((pod) => ({ id: pod.id, labels: endpointLabelsForPod(pod.input, inventory.nsByName.get(pod.namespace) ?? null) })));
  const podCounts = new Map<CompiledPolicy, number>();
  const podsOf = (p: CompiledPolicy): number => {
    let n = podCounts.get(p);
    if (n === undefined) podCounts.set(p, (n = index.count(p.selector)));
    return n;
  };

  const sort = query.sort ?? "evaluation";
  const dir = query.dir ?? (sort === "pods" ? "desc" : "asc");
  const sign = sort === "evaluation" ? 1 : dir === "asc" ? 1 : -1;
  const sorted = [...matching];
  if (sort === "name") {
    sorted.sort((a, b) => sign * (compareBytes(a.p.ref.name, b.p.ref.name) || compareBytes(a.p.ref.namespace ?? "", b.p.ref.namespace ?? "") || compareBytes(a.p.ref.kind, b.p.ref.kind)));
  } else if (sort === "pods") {
    sorted.sort((a, b) => sign * (podsOf(a.p) - podsOf(b.p)) || a.position - b.position);
  } else if (sort === "order") {
    // Policies without an order sort last either way, as Calico treats them.
    sorted.sort((a, b) => {
      const ao = a.p.order, bo = b.p.order;
      if (ao === undefined || bo === undefined) return ao === bo ? a.position - b.position : ao === undefined ? 1 : -1;
      return sign * (ao - bo) || a.position - b.position;
    });
  }

  const limit = Math.min(Math.max(query.limit ?? BOARD_PAGE_SIZE, 1), BOARD_MAX_PAGE_SIZE);
  const offset = Math.max(query.offset ?? 0, 0);
  const page = sorted.slice(offset, offset + limit);

  const present = (r: Ranked) => {
    const { p } = r;
    const key = refKey(p);
    const live = store.get(key);
    return {
      kind: p.ref.kind,
      namespace: p.ref.namespace ?? null,
      name: p.ref.name,
      display: p.display,
      tier: p.tier,
      position: r.position,
      staged: p.staged,
      order: p.order ?? null,
      selector: r.selector,
      types: [...p.types].sort(),
      ingressRules: p.ingress.length,
      egressRules: p.egress.length,
      selectedPods: podsOf(p),
      /** The published version (0: not published yet): the base version of an edit. */
      version: live && !live.deleted ? live.version : 0,
      /** How the applied change request changes this policy, if it does. */
      change: (request?.ops.get(key) as "create" | "update" | undefined) ?? null,
    };
  };
  const policies = page.map(present);

  let tiers: Array<{
    name: string;
    order: number | null;
    defaultAction: string;
    defined: boolean;
    total: number;
    policies: ReturnType<typeof present>[];
    before: ReturnType<typeof present> | null;
    after: ReturnType<typeof present> | null;
  }> = [];
  if (sort === "evaluation") {
    const inTier = new Map<string, Ranked[]>();
    for (const r of matching) {
      const list = inTier.get(r.p.tier);
      if (list) list.push(r);
      else inTier.set(r.p.tier, [r]);
    }
    const filtered = Boolean(needle || kinds);
    const total = sorted.length;
    // An empty tier sits before the policy at index `before` (the matching policies of earlier tiers): it shows on that policy's page.
    const onThisPage = (before: number) => (before < total ? before >= offset && before < offset + limit : total === 0 ? offset === 0 : offset < total && offset + limit >= total);
    let before = 0;
    tiers = compiled.tiers.flatMap((t, i) => {
      const all = inTier.get(t.name) ?? [];
      const at = before;
      before += all.length;
      const onPage = page.filter((r) => r.tierIndex === i);
      // Defined tiers without (matching) policies still show, unless a text or kind filter is on.
      const showEmpty = all.length === 0 && userTiers.has(t.name) && !filtered && (!query.tier || query.tier === t.name) && onThisPage(at);
      if (onPage.length === 0 && !showEmpty) return [];
      const first = onPage[0] ? all.indexOf(onPage[0]) : -1;
      const last = onPage.at(-1) ? all.indexOf(onPage.at(-1)!) : -1;
      return [
        {
          name: t.name,
          order: t.order ?? null,
          defaultAction: t.defaultAction,
          defined: t.defined,
          total: all.length,
          policies: policies.filter((_, j) => page[j]!.tierIndex === i),
          before: first > 0 ? present(all[first - 1]!) : null,
          after: last >= 0 && last < all.length - 1 ? present(all[last + 1]!) : null,
        },
      ];
    });
  }

  return {
    cluster: cluster.name,
    revision,
    pods: inventory.pods.length,
    changeRequest: request ? { id: request.id, number: request.number, title: request.title, state: request.state, changes: request.ops.size } : null,
    sort,
    dir: sort === "evaluation" ? "asc" : dir,
    offset,
    limit,
    total: matching.length,
    totalPolicies: ranked.length,
    /** Every tier in evaluation order (for the tier filter), with its policy count. */
    tierNames: compiled.tiers.filter((t) => byTier.has(t.name) || userTiers.has(t.name)).map((t) => ({ name: t.name, policies: byTier.get(t.name)?.length ?? 0 })),
    policies,
    tiers,
  };
}
