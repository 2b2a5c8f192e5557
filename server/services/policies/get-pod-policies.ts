import type { RequestContext } from "../../auth/actor";
import { compareBytes, compileSnapshot, type TResource } from "../../policy";
import { policySelects } from "../../policy/evaluate/compile";
import { authorise } from "../authorise";
import { clusterByName, loadStore, resultingResources, storedResource } from "../changes/store";
import { notFound } from "../errors";
import { loadInventory } from "../inventory/load-inventory";

/**
 * Every published policy that selects one pod, per direction, in evaluation order (tier order,
 * then policy order and name), including staged policies (marked: they never decide).
 */
export async function getPodPolicies(ctx: RequestContext, clusterName: string, namespace: string, name: string) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const [store, inventory] = await Promise.all([loadStore(cluster.id), loadInventory(cluster.id)]);
  const resources: TResource[] = [...resultingResources(store, []).values()].map(storedResource);
  const compiled = compileSnapshot({ resources, namespaces: inventory.namespaces, pods: inventory.pods.map((p) => p.input) });
  const ep = compiled.endpointsByKey.get(`${namespace}/${name}`);
  if (!ep) throw notFound(`pod ${namespace}/${name}`);
  const tierRank = new Map(compiled.tiers.map((t, i) => [t.name, i]));
  const ordered = [...compiled.policies].sort((a, b) => {
    const t = (tierRank.get(a.tier) ?? 0) - (tierRank.get(b.tier) ?? 0);
    if (t !== 0) return t;
    const ao = a.order ?? Number.POSITIVE_INFINITY;
    const bo = b.order ?? Number.POSITIVE_INFINITY;
    return ao !== bo ? ao - bo : compareBytes(a.sortKey, b.sortKey);
  });
  const inDirection = (d: "ingress" | "egress") =>
    ordered
      .filter((p) => p.types.has(d) && policySelects(p, ep))
      .map((p) => ({ tier: p.tier, policy: p.display, order: p.order ?? null, staged: p.staged, rules: p[d].length }));
  return { pod: `${namespace}/${name}`, ingress: inDirection("ingress"), egress: inDirection("egress") };
}
