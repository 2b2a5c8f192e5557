import type { RequestContext } from "../../auth/actor";
import { compareBytes, resourcesToYaml, type TResource } from "../../policy";
import { authorise } from "../authorise";
import { clusterByName, currentRevisionNumber, describeKey, keyOf, keyString, loadStore, resultingResources, storedResource, type ResourceKey } from "../changes/store";
import { invalid } from "../errors";

const KIND_ORDER = ["Tier", "GlobalNetworkSet", "NetworkSet", "GlobalNetworkPolicy", "NetworkPolicy", "StagedGlobalNetworkPolicy", "StagedNetworkPolicy", "EgressIPPool", "EgressAssignment"];

/**
 * The published state of a cluster (or a selection) as multi-document YAML that `calicoctl
 * apply -f` accepts for the Calico kinds. Tiers and sets come before the policies that use them.
 * Filters combine: kinds, a namespace, and hand-picked resources (each must exist, else 422
 * naming it); a resource passes when it matches every filter given.
 */
export async function exportYaml(ctx: RequestContext, clusterName: string, filter: { kind?: string[]; namespace?: string; resource?: ResourceKey[] }) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const [store, revision] = await Promise.all([loadStore(cluster.id), currentRevisionNumber(cluster.id)]);
  const rank = (k: string) => (KIND_ORDER.indexOf(k) + 1 || KIND_ORDER.length + 1);
  const picked = filter.resource?.length ? new Set(filter.resource.map(keyString)) : null;
  if (filter.resource?.length) {
    const missing = filter.resource.flatMap((k, i) => {
      const live = store.get(keyString(k));
      return live && !live.deleted ? [] : [{ path: `query.resource[${i}]`, message: `${describeKey(k)} is not in revision ${revision} of ${cluster.name}` }];
    });
    if (missing.length) throw invalid(missing);
  }
  const resources: TResource[] = [...resultingResources(store, []).values()]
    .map(storedResource)
    .filter((r) => !filter.kind?.length || filter.kind.includes(r.kind))
    .filter((r) => !filter.namespace || ("namespace" in r.metadata && r.metadata.namespace === filter.namespace))
    .filter((r) => !picked || picked.has(keyString(keyOf(r))))
    .sort((a, b) => rank(a.kind) - rank(b.kind) || compareBytes(("namespace" in a.metadata && a.metadata.namespace) || "", ("namespace" in b.metadata && b.metadata.namespace) || "") || compareBytes(a.metadata.name, b.metadata.name));
  const selected = filter.kind?.length || filter.namespace || picked ? "selected " : "";
  const header = `# Cluster ${cluster.name}, revision ${revision}: ${resources.length} ${selected}resource(s)\n`;
  return new Response(header + (resources.length ? resourcesToYaml(resources) : ""), {
    headers: {
      "content-type": "application/yaml; charset=utf-8",
      "content-disposition": `attachment; filename="${cluster.name}-r${revision}.yaml"`,
      "cache-control": "no-store",
    },
  });
}
