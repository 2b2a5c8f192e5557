import type { RequestContext } from "../../auth/actor";
import { compareBytes, compileSnapshot, endpointLabelsForPod, SelectorIndex, type TResource } from "../../policy";
import { authorise } from "../authorise";
import { clusterByName, currentRevisionNumber, loadStore, resultingResources, storedResource } from "../changes/store";
import { loadInventory } from "../inventory/load-inventory";

/**
 * The policy board: the published policies of a cluster grouped by tier in evaluation order
 * (tiers by order then name; policies by order, nil last, then name/namespace/kind — Calico's
 * order), with their type, selector, rule counts and how many of the inventory's pods each
 * selects (the effective selector, namespace-scoped as Calico scopes it).
 */
export async function getPolicyBoard(ctx: RequestContext, clusterName: string) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const [store, inventory, revision] = await Promise.all([loadStore(cluster.id), loadInventory(cluster.id), currentRevisionNumber(cluster.id)]);
  const resources: TResource[] = [...resultingResources(store, []).values()].map(storedResource);
  const compiled = compileSnapshot({ resources });
  const userTiers = new Set(resources.filter((r) => r.kind === "Tier").map((r) => r.metadata.name));
  const index = new SelectorIndex(inventory.pods.map((p) => ({ id: p.id, labels: endpointLabelsForPod(p.input, inventory.nsByName.get(p.namespace) ?? null) })));
  const tiers = compiled.tiers.map((t) => {
    const policies = compiled.policies
      .filter((p) => p.tier === t.name)
      .sort((a, b) => {
        const ao = a.order ?? Number.POSITIVE_INFINITY;
        const bo = b.order ?? Number.POSITIVE_INFINITY;
        return ao !== bo ? ao - bo : compareBytes(a.sortKey, b.sortKey);
      })
      .map((p) => ({
        kind: p.ref.kind,
        namespace: p.ref.namespace ?? null,
        name: p.ref.name,
        display: p.display,
        staged: p.staged,
        order: p.order ?? null,
        selector: p.selector.toString(),
        types: [...p.types].sort(),
        ingressRules: p.ingress.length,
        egressRules: p.egress.length,
        selectedPods: index.count(p.selector),
      }));
    return { name: t.name, order: t.order ?? null, defaultAction: t.defaultAction, defined: t.defined, policies };
  });
  return {
    cluster: cluster.name,
    revision,
    pods: inventory.pods.length,
    // Built-in tiers (kube-admin, default, kube-baseline) appear once they hold policies.
    tiers: tiers.filter((t) => t.policies.length > 0 || userTiers.has(t.name)),
  };
}
