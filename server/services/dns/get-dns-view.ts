import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { endpointLabelsForNetworkSet, endpointLabelsForPod, entitySelectorsFor, isNetworkSet, isPolicy, policySelectorFor, SelectorIndex, type TResource } from "../../policy";
import { authorise } from "../authorise";
import { clusterByName, loadStore, resultingResources, storedResource } from "../changes/store";
import { loadInventory } from "../inventory/load-inventory";

const EXCLUSIVE = "portcullis.dev/exclusive-domains";
const LIVE_MS = 2 * 60_000;

interface Rule {
  action: string;
  destination?: { domains?: string[]; selector?: string; namespaceSelector?: string; notSelector?: string };
  metadata?: { annotations?: Record<string, string> };
}

/**
 * DNS policy of a cluster: every egress Allow rule that names domains and every network set with
 * allowedEgressDomains (with the policies that reach it), the pods each grants, and — from the
 * agents' reports — the names and addresses currently learned, with their expiry.
 */
export interface DnsViewInput {
  /** Learned entries whose name, address or node contains this text. */
  q?: string;
  sort?: "name" | "expiry" | "node";
  page?: number;
  pageSize?: number;
}

export async function getDnsView(ctx: RequestContext, clusterName: string, input: DnsViewInput = {}) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const [store, inventory, agents] = await Promise.all([
    loadStore(cluster.id),
    loadInventory(cluster.id),
    db().agent.findMany({ where: { clusterId: cluster.id, revokedAt: null }, select: { nodeName: true, lastHeartbeatAt: true, report: true } }),
  ]);
  const resources: TResource[] = [...resultingResources(store, []).values()].map(storedResource);
  const index = new SelectorIndex(inventory.pods.map((p) => ({ id: p.id, labels: endpointLabelsForPod(p.input, inventory.nsByName.get(p.namespace) ?? null) })));
  const policies = resources.filter(isPolicy).filter((p) => !p.kind.startsWith("Staged"));
  const sets = resources.filter(isNetworkSet);
  const display = (r: TResource) => `${r.kind} ${"namespace" in r.metadata && r.metadata.namespace ? `${r.metadata.namespace}/` : ""}${r.metadata.name}`;

  const rules: Array<{ policy: string; tier: string; ruleIndex: number; domains: string[]; exclusive: boolean; pods: number; samplePods: string[] }> = [];
  const setGrants = new Map<string, { policies: Set<string>; pods: Set<string> }>();
  for (const p of policies) {
    const selected = index.query(policySelectorFor(p));
    const egress = ((p.spec as { egress?: Rule[] }).egress ?? []) as Rule[];
    const policyExclusive = p.metadata.annotations?.[EXCLUSIVE] === "true";
    egress.forEach((rule, i) => {
      if (rule.action !== "Allow") return;
      if (rule.destination?.domains?.length) {
        rules.push({
          policy: display(p),
          tier: (p.spec as { tier?: string }).tier ?? "default",
          ruleIndex: i,
          domains: rule.destination.domains,
          exclusive: policyExclusive || rule.metadata?.annotations?.[EXCLUSIVE] === "true",
          pods: selected.length,
          samplePods: selected.slice(0, 5),
        });
      }
      const { selector } = entitySelectorsFor(p, rule.destination);
      if (!selector) return;
      for (const s of sets) {
        if (!s.spec.allowedEgressDomains?.length) continue;
        const ns = s.kind === "NetworkSet" ? (inventory.nsByName.get(s.metadata.namespace ?? "default") ?? null) : null;
        if (!selector.matches(endpointLabelsForNetworkSet(s, ns))) continue;
        const g = setGrants.get(display(s)) ?? { policies: new Set<string>(), pods: new Set<string>() };
        g.policies.add(display(p));
        for (const id of selected) g.pods.add(id);
        setGrants.set(display(s), g);
      }
    });
  }
  const networkSets = sets
    .filter((s) => s.spec.allowedEgressDomains?.length)
    .map((s) => {
      const g = setGrants.get(display(s));
      return {
        set: display(s),
        domains: s.spec.allowedEgressDomains ?? [],
        exclusive: s.metadata.annotations?.[EXCLUSIVE] === "true",
        policies: [...(g?.policies ?? [])].sort(),
        pods: g?.pods.size ?? 0,
      };
    });

  const now = Date.now();
  const learned: Array<{ node: string; name: string; ip: string; expiresAt: string }> = [];
  let learnedTotal = 0;
  for (const a of agents) {
    if (!a.lastHeartbeatAt || now - a.lastHeartbeatAt.getTime() > LIVE_MS) continue;
    const dns = ((a.report ?? {}) as { dns?: { learned?: Array<{ name: string; ip: string; expiresAt: string }>; learnedTotal?: number } | null }).dns;
    if (!dns) continue;
    learnedTotal += dns.learnedTotal ?? dns.learned?.length ?? 0;
    for (const e of dns.learned ?? []) if (Date.parse(e.expiresAt) > now) learned.push({ node: a.nodeName, name: e.name, ip: e.ip, expiresAt: e.expiresAt });
  }
  const needle = input.q?.trim().toLowerCase();
  const matching = needle ? learned.filter((e) => e.name.includes(needle) || e.ip.includes(needle) || e.node.toLowerCase().includes(needle)) : learned;
  const byName = (x: (typeof learned)[number], y: (typeof learned)[number]) => x.name.localeCompare(y.name) || x.ip.localeCompare(y.ip) || x.node.localeCompare(y.node);
  matching.sort(
    input.sort === "expiry" ? (x, y) => x.expiresAt.localeCompare(y.expiresAt) || byName(x, y) : input.sort === "node" ? (x, y) => x.node.localeCompare(y.node) || byName(x, y) : byName,
  );
  const pageSize = input.pageSize ?? 50;
  const page = input.page ?? 1;
  return {
    cluster: cluster.name,
    rules,
    networkSets,
    /** One page of the learned entries that match the filter. */
    learned: matching.slice((page - 1) * pageSize, page * pageSize),
    learnedMatching: matching.length,
    learnedTotal,
    page,
    pageSize,
  };
}
