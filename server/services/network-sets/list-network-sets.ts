import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { endpointLabelsForNetworkSet, entitySelectorsFor, isNetworkSet, isPolicy, type TResource } from "../../policy";
import { authorise } from "../authorise";
import { clusterByName, loadStore, resultingResources, storedResource } from "../changes/store";

interface RuleLike {
  action: string;
  source?: Record<string, unknown>;
  destination?: Record<string, unknown>;
}

/**
 * The network sets of a cluster's published revision (global and namespaced) with their
 * labels, sizes, allowed egress domains, the revision that last changed them, and the policies
 * whose rules select them (by label, as Calico scopes rule selectors).
 */
export async function listNetworkSets(ctx: RequestContext, clusterName: string) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const store = await loadStore(cluster.id);
  const namespaces = await db().inventoryNamespace.findMany({ where: { clusterId: cluster.id } });
  const nsByName = new Map(namespaces.map((n) => [n.name, { metadata: { name: n.name, labels: n.labels as Record<string, string> } }]));
  const live = [...resultingResources(store, []).entries()];
  const resources: TResource[] = live.map(([, doc]) => storedResource(doc));
  const policies = resources.filter(isPolicy);
  const sets = resources.filter(isNetworkSet);
  const revisionOf = new Map([...store.values()].map((r) => [`${r.key.kind}/${r.key.namespace}/${r.key.name}`, { revision: r.revision, version: r.version }]));
  const items = sets.map((s) => {
    const namespace = s.kind === "NetworkSet" ? (s.metadata.namespace ?? "default") : null;
    const labels = endpointLabelsForNetworkSet(s, namespace ? (nsByName.get(namespace) ?? null) : null);
    const referencedBy: string[] = [];
    for (const p of policies) {
      const rules = [...(((p.spec as { ingress?: RuleLike[] }).ingress ?? []) as RuleLike[]), ...(((p.spec as { egress?: RuleLike[] }).egress ?? []) as RuleLike[])];
      const hit = rules.some((rule) =>
        (["source", "destination"] as const).some((side) => {
          const sel = entitySelectorsFor(p, rule[side] as never);
          return (sel.selector?.matches(labels) ?? false) || (sel.notSelector?.matches(labels) ?? false);
        }),
      );
      if (hit) referencedBy.push(`${p.kind} ${"namespace" in p.metadata && p.metadata.namespace ? `${p.metadata.namespace}/` : ""}${p.metadata.name}`);
    }
    const meta = revisionOf.get(`${s.kind}/${namespace ?? ""}/${s.metadata.name}`);
    return {
      kind: s.kind,
      namespace,
      name: s.metadata.name,
      labels: s.metadata.labels ?? {},
      nets: s.spec.nets?.length ?? 0,
      netsPreview: (s.spec.nets ?? []).slice(0, 5),
      domains: s.spec.allowedEgressDomains ?? [],
      referencedBy: referencedBy.sort(),
      revision: meta?.revision ?? null,
      version: meta?.version ?? null,
    };
  });
  items.sort((a, b) => (a.namespace ?? "").localeCompare(b.namespace ?? "") || a.name.localeCompare(b.name));
  return { cluster: cluster.name, items };
}
