"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { api } from "../api";
import { draftKeys, type DraftChange } from "../changes/my-draft";
import { Alert } from "../ui/alert";

/** POST /api/v1/clusters/{c}/draft */
export interface SavedToDraft {
  id: string;
  number?: number;
  created: boolean;
  added: Array<{ op: string; resource: string }>;
  state: string;
  round: number;
}

/**
 * "Save to draft": adds or replaces changes in the user's open draft (never live state). Refreshes
 * the draft, the `exact` keys, and every query under the `under` prefixes (lists computed over the
 * draft, whatever their parameters).
 */
export function useSaveToDraft(cluster: string, refresh: { exact?: ReadonlyArray<readonly unknown[]>; under?: ReadonlyArray<readonly unknown[]> } = {}) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { title?: string; changes: DraftChange[] }) => api<SavedToDraft>(`/api/v1/clusters/${encodeURIComponent(cluster)}/draft`, { body }),
    onSuccess: async () => {
      await Promise.all([
        qc.invalidateQueries({ queryKey: draftKeys.mine(cluster), exact: true }),
        ...(refresh.exact ?? []).map((k) => qc.invalidateQueries({ queryKey: [...k], exact: true })),
        ...(refresh.under ?? []).map((k) => qc.invalidateQueries({ queryKey: [...k] })),
      ]);
    },
  });
}

/** Where saved changes went: the user's draft change request, with a link to it. */
export function InYourDraft({ saved, what }: { saved: SavedToDraft; what: string }) {
  return (
    <Alert tone="success">
      <span data-testid="saved-to-draft">
        {what} {saved.added.length === 1 ? "is" : "are"} in your draft{saved.created ? " (a new draft change request)" : ""}:{" "}
        <Link href={`/changes/${saved.id}`} className="font-medium underline">
          {saved.number ? `change request #${saved.number}` : "open the change request"}
        </Link>
        . Submit it for review there; nothing changes in the cluster until it is approved and published.
      </span>
    </Alert>
  );
}
