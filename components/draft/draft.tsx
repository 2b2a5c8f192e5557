"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import { draftKeys, saveToDraft, type DraftChange, type SavedToDraft } from "../changes/my-draft";
import { Alert } from "../ui/alert";

export type { SavedToDraft };

/**
 * "Save to draft": adds or replaces changes in the user's open draft (never live state). Refreshes
 * the draft, the `exact` keys, and every query under the `under` prefixes (lists computed over the
 * draft, whatever their parameters).
 */
export function useSaveToDraft(cluster: string, refresh: { exact?: ReadonlyArray<readonly unknown[]>; under?: ReadonlyArray<readonly unknown[]> } = {}) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { title?: string; changes: DraftChange[] }) => saveToDraft(cluster, body),
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

/** "N changes in your draft — open change request", with optional controls on the right. */
export function DraftBanner({ draftId, changes, children }: { draftId: string; changes: number; children?: ReactNode }) {
  return (
    <div role="status" data-testid="draft-banner" className="mb-4 flex flex-wrap items-center justify-between gap-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
      <span>
        <strong>{changes} change{changes === 1 ? "" : "s"} in your draft</strong> —{" "}
        <Link href={`/changes/${draftId}`} className="font-medium underline">open change request</Link>
      </span>
      {children}
    </div>
  );
}
