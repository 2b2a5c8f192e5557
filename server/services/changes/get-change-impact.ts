import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import type { BundlePayload } from "../../policy/bundle";
import {
  compileSnapshot,
  endpointLabelsForPod,
  evaluateFlow,
  FlowError,
  isNetworkSet,
  isPolicy,
  parseCidr,
  policySelectorFor,
  SelectorIndex,
  type Flow,
  type TResource,
} from "../../policy/index";
import { authorise } from "../authorise";
import { loadInventory } from "../inventory/load-inventory";
import { loadRequest, plannedChanges } from "./requests";
import { keyString, loadStore, resultingResources, storedResource, type ResourceKey } from "./store";

/** Sample limits: sources × destinations is at most MAX_SOURCES × MAX_DESTINATIONS flows per snapshot. */
export const MAX_SOURCES = 40;
export const MAX_DESTINATIONS = 50;
const MAX_LISTED = 25;
const MAX_FLOW_CHANGES = 200;
/** Stands in for the address a domain resolves to (TEST-NET-3), so DNS rules can be evaluated. */
const DOMAIN_IP = "203.0.113.10";


/** Evenly spread pick of at most `n` items, deterministic. */
function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(items[Math.floor((i * items.length) / n)]!);
  return out;
}

function keyOfDoc(doc: Record<string, unknown>): ResourceKey {
  const meta = doc.metadata as { name: string; namespace?: string };
  return { kind: doc.kind as string, namespace: meta.namespace ?? "", name: meta.name };
}

function domainsOf(resources: readonly TResource[]): string[] {
  const out = new Set<string>();
  for (const r of resources) {
    if (isNetworkSet(r)) for (const d of r.spec.allowedEgressDomains ?? []) out.add(d);
    if (isPolicy(r)) for (const rule of r.spec.egress ?? []) for (const d of rule.destination?.domains ?? []) out.add(d);
  }
  return [...out].sort().map((d) => (d.startsWith("*.") ? `sample.${d.slice(2)}` : d.replaceAll("*", "sample")));
}

function cidrTargets(resources: readonly TResource[]): Array<{ ip: string; label: string }> {
  const out = new Map<string, string>();
  for (const r of resources) {
    if (!isNetworkSet(r)) continue;
    const name = r.kind === "GlobalNetworkSet" ? r.metadata.name : `${r.metadata.namespace}/${r.metadata.name}`;
    for (const net of r.spec.nets ?? []) {
      try {
        const ip = parseCidr(net, { strict: false }).text.split("/")[0]!;
        if (!out.has(ip)) out.set(ip, `${net} (${r.kind} ${name})`);
      } catch {
        // Stored nets were validated; an unparsable one cannot be sampled.
      }
    }
  }
  return [...out].map(([ip, label]) => ({ ip, label }));
}

/**
 * The impact of a change request, computed with the policy engine against the cluster's
 * inventory: for each changed policy the pods it newly selects or no longer selects (effective
 * selectors + SelectorIndex), and for a sample of real flows — every sampled pod to every
 * network-set CIDR block, DNS-policy domain and sampled pod — which change verdict between the
 * current state and the state after the request. The sample is capped (MAX_SOURCES sources ×
 * MAX_DESTINATIONS destinations) and says so.
 */
export async function getChangeImpact(ctx: RequestContext, id: string) {
  authorise(ctx, "authenticated");
  const cr = await loadRequest(id);
  const changes = plannedChanges(cr.items);

  let before: TResource[];
  let after: TResource[];
  if (cr.state === "published" && cr.publishedRevision) {
    const rev = await db().revision.findUniqueOrThrow({ where: { clusterId_number: { clusterId: cr.clusterId, number: cr.publishedRevision } } });
    const afterDocs = (JSON.parse(rev.bundlePayload) as BundlePayload).resources as Array<Record<string, unknown>>;
    const map = new Map(afterDocs.map((d) => [keyString(keyOfDoc(d)), d]));
    for (const c of rev.changes as Array<{ kind: string; namespace: string; name: string; before: Record<string, unknown> | null }>) {
      if (c.before) map.set(keyString(c), c.before);
      else map.delete(keyString(c));
    }
    after = afterDocs.map(storedResource);
    before = [...map.values()].map(storedResource);
  } else {
    const store = await loadStore(cr.clusterId);
    before = [...resultingResources(store, []).values()].map(storedResource);
    after = [...resultingResources(store, changes).values()].map(storedResource);
  }

  const { namespaces: nsInputs, nsByName, pods } = await loadInventory(cr.clusterId);

  // Selection changes per changed policy.
  const index = new SelectorIndex(pods.map((p) => ({ id: p.id, labels: endpointLabelsForPod(p.input, nsByName.get(p.namespace) ?? null) })));
  const byKey = (list: TResource[]) => new Map(list.map((r) => [keyString(keyOfDoc(r as unknown as Record<string, unknown>)), r]));
  const beforeByKey = byKey(before);
  const afterByKey = byKey(after);
  const selected = (r: TResource | undefined): Set<string> => (r && isPolicy(r) ? new Set(index.query(policySelectorFor(r))) : new Set());
  const policies = changes
    .filter((c) => c.key.kind.endsWith("NetworkPolicy"))
    .map((c) => {
      const k = keyString(c.key);
      const was = selected(beforeByKey.get(k));
      const now = selected(afterByKey.get(k));
      const added = [...now].filter((p) => !was.has(p));
      const removed = [...was].filter((p) => !now.has(p));
      return {
        kind: c.key.kind,
        namespace: c.key.namespace || null,
        name: c.key.name,
        op: c.op,
        selectedBefore: was.size,
        selectedAfter: now.size,
        newlySelected: { count: added.length, pods: added.slice(0, MAX_LISTED) },
        noLongerSelected: { count: removed.length, pods: removed.slice(0, MAX_LISTED) },
      };
    });

  // Flow sample.
  const sources = spread(pods, MAX_SOURCES);
  type Dest = { label: string; flow: Pick<Flow, "destination" | "port"> };
  const external: Dest[] = [
    ...cidrTargets([...before, ...after]).map((t) => ({ label: t.label, flow: { destination: { ip: t.ip }, port: 443 } })),
    ...domainsOf([...before, ...after]).map((d) => ({ label: d, flow: { destination: { ip: DOMAIN_IP, domain: d }, port: 443 } })),
  ];
  const externalPicked = spread(external, Math.min(external.length, Math.ceil(MAX_DESTINATIONS / 2)));
  const podDests: Dest[] = spread(pods.filter((p) => p.ip), MAX_DESTINATIONS - externalPicked.length).map((p) => ({
    label: p.id,
    flow: { destination: { pod: p.id }, port: p.port ?? 80 },
  }));
  const destinations = [...externalPicked, ...podDests];
  const snapshotBefore = compileSnapshot({ resources: before, namespaces: nsInputs, pods: pods.map((p) => p.input) });
  const snapshotAfter = compileSnapshot({ resources: after, namespaces: nsInputs, pods: pods.map((p) => p.input) });
  let evaluated = 0;
  let allowToDeny = 0;
  let denyToAllow = 0;
  const flowChanges: Array<{ source: string; destination: string; port: number | undefined; before: string; after: string }> = [];
  for (const s of sources) {
    for (const d of destinations) {
      if (d.label === s.id) continue;
      const flow: Flow = { source: { pod: s.id }, destination: d.flow.destination, protocol: "TCP", port: d.flow.port };
      let a: string;
      let b: string;
      try {
        a = evaluateFlow(snapshotBefore, flow).action;
        b = evaluateFlow(snapshotAfter, flow).action;
      } catch (err) {
        if (err instanceof FlowError) continue;
        throw err;
      }
      evaluated++;
      if (a === b) continue;
      if (a === "Allow") allowToDeny++;
      else denyToAllow++;
      if (flowChanges.length < MAX_FLOW_CHANGES) flowChanges.push({ source: s.id, destination: d.label, port: flow.port, before: a, after: b });
    }
  }
  const possible = pods.length * (pods.length - 1 + external.length);
  return {
    id: cr.id,
    inventory: { namespaces: nsInputs.length, pods: pods.length },
    policies,
    flows: {
      sample: {
        sources: sources.length,
        destinations: destinations.length,
        evaluated,
        possible,
        capped: sources.length < pods.length || destinations.length < external.length + pods.length,
        note: `Sampled ${sources.length} of ${pods.length} pods as sources and ${destinations.length} destinations (network-set CIDR blocks, DNS-policy domains and pods) out of ${external.length + pods.length}: ${evaluated} flows evaluated with TCP to each destination's first port (443 outside the cluster).`,
      },
      allowToDeny,
      denyToAllow,
      changes: flowChanges,
      listedChanges: flowChanges.length,
    },
  };
}
