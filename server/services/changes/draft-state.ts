/**
 * "The current state plus my draft": what editors and previews compare against. The published
 * resources of a cluster with the signed-in user's open draft applied on top.
 */
import { actorUserId, type Actor } from "../../auth/actor";
import { db } from "../../db";
import { findMyDraft } from "./get-my-draft";
import { plannedChanges } from "./requests";
import { keyString, loadStore, resultingResources, type LiveResource, type PlannedChange } from "./store";

export interface StateWithDraft {
  /** Every stored resource (tombstones included), keyed by keyString. */
  store: Map<string, LiveResource>;
  /** The user's open draft (null when none). */
  draft: { id: string; number: number; title: string } | null;
  /** The draft's changes, keyed by keyString. */
  drafted: Map<string, PlannedChange>;
  /** Published resources with the draft applied, keyed by keyString. */
  resulting: Map<string, Record<string, unknown>>;
}

export async function loadStateWithDraft(clusterId: string, actor: Actor): Promise<StateWithDraft> {
  const uid = actorUserId(actor);
  const [store, cr] = await Promise.all([loadStore(clusterId), uid ? findMyDraft(db(), clusterId, uid) : Promise.resolve(null)]);
  const planned = cr ? plannedChanges(cr.items) : [];
  return {
    store,
    draft: cr ? { id: cr.id, number: cr.number, title: cr.title } : null,
    drafted: new Map(planned.map((c) => [keyString(c.key), c])),
    resulting: resultingResources(store, planned),
  };
}
