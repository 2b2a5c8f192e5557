"use client";

import { useQuery } from "@tanstack/react-query";
import { api } from "../api";

/** One change in the signed-in user's open draft (GET /api/v1/clusters/{c}/draft). */
export interface DraftItem {
  id: string;
  op: "create" | "update" | "delete";
  kind: string;
  namespace: string | null;
  name: string;
  baseVersion: number;
  document: Record<string, unknown> | null;
}
export interface Draft {
  id: string;
  number?: number;
  title: string;
  state: string;
  round: number;
  items: DraftItem[];
}

export type DraftChange =
  | { op: "create" | "update"; document: Record<string, unknown>; baseVersion?: number }
  | { op: "delete"; resource: { kind: string; namespace?: string; name: string }; baseVersion?: number };

/** Under changes/, so invalidating every change-request query refreshes drafts too. */
export const draftKeys = { mine: (cluster: string) => ["changes", "draft", cluster] as const };

/** What "Save to draft" answers (POST /api/v1/clusters/{c}/draft). */
export interface SavedToDraft {
  id: string;
  number?: number;
  created: boolean;
  added: Array<{ op: string; resource: string }>;
  state: string;
  round: number;
}

/** The signed-in user's open draft for the cluster, or null. */
export async function fetchMyDraft(cluster: string, signal?: AbortSignal): Promise<Draft | null> {
  return (await api<{ draft: Draft | null }>(`/api/v1/clusters/${encodeURIComponent(cluster)}/draft`, { signal })).draft;
}

export function useMyDraft(cluster: string, enabled = true) {
  return useQuery({
    queryKey: draftKeys.mine(cluster),
    queryFn: ({ signal }) => fetchMyDraft(cluster, signal),
    enabled: enabled && cluster !== "",
  });
}

/** Adds or replaces changes in the user's open draft for the cluster (opening one when needed). */
export function saveToDraft(cluster: string, body: { title?: string; changes: DraftChange[] }): Promise<SavedToDraft> {
  return api<SavedToDraft>(`/api/v1/clusters/${encodeURIComponent(cluster)}/draft`, { body });
}

/** The draft's change to one resource, if it has one. */
export function draftItemFor(draft: Draft | null | undefined, ref: { kind: string; namespace: string | null; name: string }): DraftItem | undefined {
  return draft?.items.find((i) => i.kind === ref.kind && (i.namespace || null) === (ref.namespace || null) && i.name === ref.name);
}

/**
 * Where an edit of a resource starts: its drafted document when the user's draft already changes
 * it (so repeated edits build on each other), else the published one from the API. `baseVersion`
 * is the published version the edit rests on; `op` is "create" for a resource the draft creates.
 * `published`: start from the published resource even so (reloading after a 409 conflict).
 */
export async function editableResource(
  cluster: string,
  draft: Draft | null | undefined,
  ref: { kind: string; namespace: string | null; name: string },
  opts: { published?: boolean } = {},
): Promise<{ op: "create" | "update"; document: Record<string, unknown>; baseVersion: number; fromDraft: boolean }> {
  const drafted = opts.published ? undefined : draftItemFor(draft, ref);
  if (drafted && drafted.op !== "delete" && drafted.document) {
    return { op: drafted.op, document: structuredClone(drafted.document), baseVersion: drafted.baseVersion, fromDraft: true };
  }
  const ns = ref.namespace ? `?namespace=${encodeURIComponent(ref.namespace)}` : "";
  const r = await api<{ version: number; document: Record<string, unknown> }>(
    `/api/v1/clusters/${encodeURIComponent(cluster)}/resources/${encodeURIComponent(ref.kind)}/${encodeURIComponent(ref.name)}${ns}`,
  );
  return { op: "update", document: r.document, baseVersion: r.version, fromDraft: false };
}
