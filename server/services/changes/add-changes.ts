import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import type { TChangeInput } from "../../policy/changes";
import { authorise } from "../authorise";
import { recordChanges, resolveChanges } from "./edit";
import { yamlToInputs } from "./open-change-request";
import { assertCanEdit, lockRequest } from "./requests";
import { describeKey, loadStore } from "./store";

/**
 * The author adds changes (create, update, delete) to a request; each is validated with the
 * policy engine (422 with field paths) and recorded with the version it is based on. From
 * `yaml`, each resource becomes a create or an update. One audit row.
 */
export async function addChanges(ctx: RequestContext, id: string, input: { changes: TChangeInput[] } | { yaml: string }) {
  const actor = authorise(ctx, ["author"]);
  const fromYaml = "yaml" in input;
  const inputs = fromYaml ? yamlToInputs(input.yaml) : input.changes;
  return db().$transaction(async (tx) => {
    const cr = await lockRequest(tx, id);
    assertCanEdit(actor, cr);
    const store = await loadStore(cr.clusterId, tx);
    const changes = await resolveChanges(tx, cr.clusterId, inputs, fromYaml ? "upsert" : "explicit", (i) => (fromYaml ? `yaml.documents[${i}]` : `changes[${i}]`), store);
    await recordChanges(tx, cr, cr.clusterId, changes, store);
    const after = await tx.changeRequest.findUniqueOrThrow({ where: { id } });
    const summary = changes.map((c) => ({ op: c.op, resource: describeKey(c.key) }));
    await appendAudit(tx, ctx, {
      action: "change.items.add",
      target: { type: "change_request", id },
      after: { changes: summary },
      details: { round: after.round, state: after.state, approvalsReset: after.round !== cr.round },
    });
    return { added: summary, state: after.state, round: after.round };
  });
}
