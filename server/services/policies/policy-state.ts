import { actorUserId, type Actor } from "../../auth/actor";
import { db } from "../../db";
import type { TResource } from "../../policy";
import type { TChangeState } from "../../policy/changes";
import { invalid, notFound } from "../errors";
import { findMyDraft } from "../changes/get-my-draft";
import { loadRequest, OPEN_STATES, plannedChanges } from "../changes/requests";
import { keyString, loadStore, resultingResources, storedResource, type LiveResource } from "../changes/store";

export interface AppliedRequest {
  id: string;
  number: number;
  title: string;
  state: TChangeState;
  /** The op of each change, by resource key string ("Kind/namespace/name"). */
  ops: Map<string, "create" | "update" | "delete">;
}

/**
 * A cluster's resources as published, or — given an open change request of that cluster, or
 * `draftOf` an actor (their open draft for the cluster, if any) — as they would be with its
 * changes applied (`resultingResources(store, plannedChanges(items))`). `field` names the input
 * for the 4xx errors (a request of another cluster, or a closed one).
 */
export async function loadPolicyState(
  cluster: { id: string; name: string },
  changeRequestId: string | undefined,
  opts: { draftOf?: Actor | null; field?: string } = {},
): Promise<{ store: Map<string, LiveResource>; resources: TResource[]; request: AppliedRequest | null }> {
  const field = opts.field ?? "changeRequest";
  const uid = opts.draftOf ? actorUserId(opts.draftOf) : null;
  const [store, cr] = await Promise.all([
    loadStore(cluster.id),
    changeRequestId ? loadRequest(changeRequestId) : uid ? findMyDraft(db(), cluster.id, uid) : Promise.resolve(null),
  ]);
  if (changeRequestId && (!cr || cr.clusterId !== cluster.id)) throw notFound(`change request ${changeRequestId} of cluster "${cluster.name}"`);
  if (cr && !OPEN_STATES.includes(cr.state)) {
    throw invalid([{ path: field, message: `change request #${cr.number} is ${cr.state}: only an open request (draft, submitted, approved, conflicted) can be applied` }]);
  }
  const changes = cr ? plannedChanges(cr.items) : [];
  const resources = [...resultingResources(store, changes).values()].map(storedResource);
  const request: AppliedRequest | null = cr
    ? { id: cr.id, number: cr.number, title: cr.title, state: cr.state, ops: new Map(changes.map((c) => [keyString(c.key), c.op])) }
    : null;
  return { store, resources, request };
}
