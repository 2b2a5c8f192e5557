import type { RequestContext } from "../../auth/actor";
import { compareBytes, resourcesToYaml, type TResource } from "../../policy";
import { authorise } from "../authorise";
import { clusterByName, currentRevisionNumber, loadStore, resultingResources, storedResource } from "../changes/store";

const KIND_ORDER = ["Tier", "GlobalNetworkSet", "NetworkSet", "GlobalNetworkPolicy", "NetworkPolicy", "StagedGlobalNetworkPolicy", "StagedNetworkPolicy", "EgressIPPool", "EgressAssignment"];

/**
 * The published state of a cluster (or the selected kinds / namespace) as multi-document YAML
 * that `calicoctl apply -f` accepts for the Calico kinds. Tiers and sets come before the
 * policies that use them.
 */
export async function exportYaml(ctx: RequestContext, clusterName: string, filter: { kind?: string[]; namespace?: string }) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const [store, revision] = await Promise.all([loadStore(cluster.id), currentRevisionNumber(cluster.id)]);
  const rank = (k: string) => (KIND_ORDER.indexOf(k) + 1 || KIND_ORDER.length + 1);
  const resources: TResource[] = [...resultingResources(store, []).values()]
    .map(storedResource)
    .filter((r) => !filter.kind?.length || filter.kind.includes(r.kind))
    .filter((r) => !filter.namespace || ("namespace" in r.metadata && r.metadata.namespace === filter.namespace))
    .sort((a, b) => rank(a.kind) - rank(b.kind) || compareBytes(("namespace" in a.metadata && a.metadata.namespace) || "", ("namespace" in b.metadata && b.metadata.namespace) || "") || compareBytes(a.metadata.name, b.metadata.name));
  const header = `# Cluster ${cluster.name}, revision ${revision}: ${resources.length} resource(s)\n`;
  return new Response(header + (resources.length ? resourcesToYaml(resources) : ""), {
    headers: {
      "content-type": "application/yaml; charset=utf-8",
      "content-disposition": `attachment; filename="${cluster.name}-r${revision}.yaml"`,
      "cache-control": "no-store",
    },
  });
}
