import { actorUserId, type RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import type { TChangeInput, TSaveToDraft } from "../../policy/changes";
import { authorise } from "../authorise";
import { conflict, invalid } from "../errors";
import { recordChanges, resolveChanges } from "./edit";
import { findMyDraft } from "./get-my-draft";
import { yamlToInputs } from "./open-change-request";
import { lockRequest, plannedChanges, requireUser } from "./requests";
import { clusterByName, currentRevisionNumber, describeKey, keyString, loadStore, validateSaved, type ResourceKey } from "./store";

const EGRESS_CHECKED_ON_SAVE: ReadonlySet<string> = new Set(["EgressAssignment"]);

function rawKey(input: TChangeInput): ResourceKey | null {
  if (input.op === "delete") return { kind: input.resource.kind, namespace: input.resource.namespace ?? "", name: input.resource.name };
  const d = input.document as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  if (typeof d.kind !== "string" || typeof d.metadata?.name !== "string") return null;
  return { kind: d.kind, namespace: typeof d.metadata.namespace === "string" ? d.metadata.namespace : "", name: d.metadata.name };
}

/**
 * "Save to draft": adds (or replaces) changes in the caller's open draft change request for a
 * cluster, opening one when there is none. Optimistic concurrency: a change that names the
 * `baseVersion` its editor started from is refused with a conflict when the published resource
 * has moved since, instead of silently overwriting someone else's change. One audit row.
 */
export async function saveToDraft(ctx: RequestContext, clusterName: string, input: TSaveToDraft) {
  const actor = authorise(ctx, ["author"]);
  const authorId = requireUser(actor);
  const fromYaml = input.yaml !== undefined;
  const drafted = fromYaml ? yamlToInputs(input.yaml!) : input.changes!;
  const baseVersions = fromYaml ? [] : input.changes!.map((c) => c.baseVersion);
  return db().$transaction(async (tx) => {
    const cluster = await clusterByName(clusterName, tx);
    // One draft per user and cluster even when two saves race to create it.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`draft:${authorId}:${cluster.id}`}))`;
    let existing = await findMyDraft(tx, cluster.id, authorId);
    const created = existing === null;
    if (!existing) {
      const cr = await tx.changeRequest.create({
        data: {
          clusterId: cluster.id,
          title: input.title ?? `Draft changes to ${cluster.name}`,
          description: "",
          authorId,
          authorName: actor.name,
          baseRevision: await currentRevisionNumber(cluster.id, tx),
        },
      });
      existing = { ...cr, items: [] };
    }
    const cr = await lockRequest(tx, existing.id);
    const store = await loadStore(cluster.id, tx);
    // Saving again a resource this draft creates keeps it a create, whatever the editor calls it.
    const draftCreates = new Set(cr.items.filter((i) => i.op === "create").map((i) => keyString(i)));
    const inputs: TChangeInput[] = drafted.map((c) => {
      const { baseVersion: _ignored, ...change } = c as TChangeInput & { baseVersion?: number };
      const k = rawKey(change);
      if (change.op === "update" && k && draftCreates.has(keyString(k)) && !(store.get(keyString(k)) && !store.get(keyString(k))!.deleted)) {
        return { op: "create", document: change.document };
      }
      return change;
    });
    const changes = await resolveChanges(tx, cluster.id, inputs, fromYaml ? "upsert" : "explicit", (i) => (fromYaml ? `yaml.documents[${i}]` : `changes[${i}]`), store);
    const moved: string[] = [];
    changes.forEach((c, i) => {
      const base = baseVersions[i];
      if (base === undefined) return;
      const live = store.get(keyString(c.key));
      const liveVersion = live && !live.deleted ? live.version : 0;
      if (liveVersion === base) return;
      const what = describeKey(c.key);
      if (base === 0) moved.push(`${what} was created in revision ${live!.revision} since you started`);
      else if (liveVersion === 0) moved.push(`${what} was deleted${live ? ` in revision ${live.revision}` : ""} since you opened it`);
      else moved.push(`${what} was changed in revision ${live!.revision} since you opened it (you started from version ${base}, it is now version ${liveVersion})`);
    });
    if (moved.length) {
      throw conflict(`${moved.join("; ")}. Reload it and make your edit again.`, {
        errors: moved.map((m, i) => ({ path: `changes[${i}]`, message: m })),
      });
    }
    // An egress IP another assignment holds (published or in this draft) is refused now, naming the holder, not at submit.
    const clashes = validateSaved(store, plannedChanges(cr.items), changes.map((c) => ({ ...c, baseVersion: 0 })), EGRESS_CHECKED_ON_SAVE, fromYaml ? "yaml.documents" : "changes");
    if (clashes.length) throw invalid(clashes);
    await recordChanges(tx, cr, cluster.id, changes, store);
    const after = await tx.changeRequest.findUniqueOrThrow({ where: { id: cr.id } });
    const summary = changes.map((c) => ({ op: c.op, resource: describeKey(c.key) }));
    await appendAudit(tx, ctx, {
      action: "change.draft.save",
      target: { type: "change_request", id: cr.id },
      after: { changes: summary },
      details: { cluster: cluster.name, created, round: after.round, state: after.state, by: actorUserId(actor) },
    });
    return { id: cr.id, number: after.number, created, added: summary, state: after.state, round: after.round };
  });
}
