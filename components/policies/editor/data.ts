/**
 * What the policy editor loads and saves: query keys (one factory), fetchers and response shapes.
 */
import { BUILTIN_TIERS } from "@/server/policy/resources/policy";
import { api, qs } from "../../api";
import { draftKeys, fetchMyDraft, saveToDraft, type Draft, type DraftItem, type SavedToDraft } from "../../changes/my-draft";
import { isRecord } from "./document";
import type { InventorySnapshot, NetworkSetInfo } from "./preview";

export const policyEditorKeys = {
  inventory: (cluster: string) => ["policy-editor", "inventory", cluster] as const,
  networkSets: (cluster: string) => ["policy-editor", "network-sets", cluster] as const,
  tiers: (cluster: string) => ["policy-editor", "tiers", cluster] as const,
  /** The user's draft is shared with every other "Save to draft" (components/changes/my-draft). */
  draft: (cluster: string) => draftKeys.mine(cluster),
  resource: (cluster: string, kind: string, namespace: string | null, name: string) => ["policy-editor", "resource", cluster, kind, namespace ?? "", name] as const,
};

export type { Draft, DraftItem };
export type SaveResult = SavedToDraft;
export { saveToDraft };

export interface LiveResource {
  kind: string;
  namespace: string | null;
  name: string;
  version: number;
  revision: number;
  document: Record<string, unknown>;
}
const enc = encodeURIComponent;

export function fetchInventory(cluster: string, signal?: AbortSignal): Promise<InventorySnapshot> {
  return api<InventorySnapshot>(`/api/v1/clusters/${enc(cluster)}/inventory`, { signal });
}

interface ResourcePage {
  items: Array<{ kind: string; namespace: string | null; name: string; labels: Record<string, string> | null }>;
  total: number;
}

/** Every published resource of a kind (the list is paginated: 200 a page). */
async function listAll(cluster: string, kind: string, signal?: AbortSignal): Promise<ResourcePage["items"]> {
  const out: ResourcePage["items"] = [];
  for (let page = 1; ; page++) {
    const r = await api<ResourcePage>(`/api/v1/clusters/${enc(cluster)}/resources${qs({ kind, page, pageSize: 200 })}`, { signal });
    out.push(...r.items);
    if (r.items.length === 0 || out.length >= r.total) return out;
  }
}

/** The published network sets, global and namespaced, with their own labels. */
export async function fetchPublishedSets(cluster: string, signal?: AbortSignal): Promise<NetworkSetInfo[]> {
  const [globals, namespaced] = await Promise.all([listAll(cluster, "GlobalNetworkSet", signal), listAll(cluster, "NetworkSet", signal)]);
  return [...globals, ...namespaced].map((s) => ({
    kind: s.kind === "NetworkSet" ? "NetworkSet" : "GlobalNetworkSet",
    namespace: s.kind === "NetworkSet" ? (s.namespace ?? "default") : null,
    name: s.name,
    labels: s.labels ?? {},
    origin: "published" as const,
  }));
}

export async function fetchTiers(cluster: string, signal?: AbortSignal): Promise<string[]> {
  return (await listAll(cluster, "Tier", signal)).map((t) => t.name);
}

export const fetchDraft = fetchMyDraft;

export function fetchResource(cluster: string, kind: string, namespace: string | null, name: string, signal?: AbortSignal): Promise<LiveResource> {
  return api<LiveResource>(`/api/v1/clusters/${enc(cluster)}/resources/${enc(kind)}/${enc(name)}${qs({ namespace })}`, { signal });
}

/** Published network sets, with the user's draft applied (sets it creates or changes, minus deletions). */
export function networkSetsWithDraft(published: readonly NetworkSetInfo[], draft: Draft | null): NetworkSetInfo[] {
  const key = (kind: string, ns: string | null, name: string) => `${kind}/${ns ?? ""}/${name}`;
  const out = new Map(published.map((s) => [key(s.kind, s.namespace, s.name), s]));
  for (const i of draft?.items ?? []) {
    if (i.kind !== "NetworkSet" && i.kind !== "GlobalNetworkSet") continue;
    const k = key(i.kind, i.kind === "NetworkSet" ? (i.namespace ?? "default") : null, i.name);
    if (i.op === "delete" || !i.document) {
      out.delete(k);
      continue;
    }
    const meta = isRecord(i.document.metadata) ? i.document.metadata : {};
    const labels = isRecord(meta.labels) ? (meta.labels as Record<string, string>) : {};
    out.set(k, { kind: i.kind, namespace: i.kind === "NetworkSet" ? (i.namespace ?? "default") : null, name: i.name, labels, origin: "draft" });
  }
  return [...out.values()].sort((a, b) => (a.namespace ?? "").localeCompare(b.namespace ?? "") || a.name.localeCompare(b.name));
}

/** Tiers to pick from: the built-in ones, the cluster's, and those the user's draft creates. */
export function tierChoices(published: readonly string[], draft: Draft | null, current: string | undefined): string[] {
  const names = new Set<string>(["default", ...published]);
  for (const i of draft?.items ?? []) if (i.kind === "Tier" && i.op !== "delete") names.add(i.name);
  for (const b of Object.keys(BUILTIN_TIERS)) names.add(b);
  if (current) names.add(current);
  return [...names].sort((a, b) => (a === "default" ? -1 : b === "default" ? 1 : a.localeCompare(b)));
}
