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

export const NETWORK_SET_SORTS = ["name", "cidrs"] as const;
export const NETWORK_SET_KINDS = ["global", "namespaced"] as const;

export interface ListNetworkSetsInput {
  /** Case-insensitive text over name, namespace and allowed domains. */
  q?: string;
  kind?: (typeof NETWORK_SET_KINDS)[number];
  /** `key` (has the label) or `key=value`; several, comma-separated, must all match. */
  label?: string;
  sort?: (typeof NETWORK_SET_SORTS)[number];
  dir?: "asc" | "desc";
  page?: number;
  pageSize?: number;
}

/**
 * The network sets of a cluster's published revision (global and namespaced) with their
 * labels, sizes, allowed egress domains, the revision and version that last changed them, and
 * the policies whose rules select them (by label, as Calico scopes rule selectors). Filtered
 * (text, kind, labels), sorted (name, CIDR count) and paginated here; the policies selecting a
 * set are worked out for the page's sets only.
 */
export async function listNetworkSets(ctx: RequestContext, clusterName: string, input: ListNetworkSetsInput = {}) {
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

  const needle = input.q?.trim().toLowerCase() ?? "";
  const wanted = (input.label ?? "")
    .split(",")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const eq = l.indexOf("=");
      return eq >= 0 ? { key: l.slice(0, eq).trim(), value: l.slice(eq + 1).trim() as string | null } : { key: l, value: null };
    });
  const matching = sets.filter((s) => {
    if (input.kind && (input.kind === "global") !== (s.kind === "GlobalNetworkSet")) return false;
    const labels = s.metadata.labels ?? {};
    if (!wanted.every((w) => Object.hasOwn(labels, w.key) && (w.value === null || labels[w.key] === w.value))) return false;
    if (!needle) return true;
    const ns = s.kind === "NetworkSet" ? (s.metadata.namespace ?? "default") : "";
    return s.metadata.name.toLowerCase().includes(needle) || ns.toLowerCase().includes(needle) || (s.spec.allowedEgressDomains ?? []).some((d) => d.toLowerCase().includes(needle));
  });
  const nsOf = (s: (typeof sets)[number]) => (s.kind === "NetworkSet" ? (s.metadata.namespace ?? "default") : "");
  const byName = (a: (typeof sets)[number], b: (typeof sets)[number]) => a.metadata.name.localeCompare(b.metadata.name) || nsOf(a).localeCompare(nsOf(b)) || a.kind.localeCompare(b.kind);
  const sort = input.sort ?? "name";
  const sign = (input.dir ?? (sort === "cidrs" ? "desc" : "asc")) === "asc" ? 1 : -1;
  matching.sort(sort === "cidrs" ? (a, b) => sign * ((a.spec.nets?.length ?? 0) - (b.spec.nets?.length ?? 0)) || byName(a, b) : (a, b) => sign * byName(a, b));

  const page = input.page ?? 1;
  const pageSize = input.pageSize ?? 50;
  const items = matching.slice((page - 1) * pageSize, page * pageSize).map((s) => {
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
  return { cluster: cluster.name, items, total: matching.length, totalSets: sets.length, page, pageSize, sort, dir: sign === 1 ? "asc" : "desc" };
}
