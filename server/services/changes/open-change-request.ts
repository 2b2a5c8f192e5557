import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { resourcesFromYaml, YamlResourceError } from "../../policy/index";
import type { TChangeInput, TOpenChangeRequest } from "../../policy/changes";
import { authorise } from "../authorise";
import { invalid } from "../errors";
import { recordChanges, resolveChanges } from "./edit";
import { lockRequest, presentSummary, requireUser } from "./requests";
import { clusterByName, currentRevisionNumber, loadStore } from "./store";

/** YAML text → change inputs (create/update decided against the store), or a 422 naming document and line. */
export function yamlToInputs(yaml: string): TChangeInput[] {
  try {
    return resourcesFromYaml(yaml).map((r) => ({ op: "update" as const, document: r as unknown as Record<string, unknown> }));
  } catch (err) {
    if (err instanceof YamlResourceError) {
      throw invalid(err.issues.map((i) => ({ path: `yaml.documents[${i.document - 1}]${i.path === "(yaml)" || i.path === "(document)" ? "" : `.${i.path}`}`, message: `line ${i.line}: ${i.message}` })));
    }
    throw err;
  }
}

/**
 * An author opens a draft change request against a cluster, optionally with resources pasted as
 * multi-document YAML (each becomes a create or an update). One audit row.
 */
export async function openChangeRequest(ctx: RequestContext, clusterName: string, input: TOpenChangeRequest & { yaml?: string }) {
  const actor = authorise(ctx, ["author"]);
  const authorId = requireUser(actor);
  const inputs = input.yaml !== undefined ? yamlToInputs(input.yaml) : [];
  return db().$transaction(async (tx) => {
    const cluster = await clusterByName(clusterName, tx);
    const baseRevision = await currentRevisionNumber(cluster.id, tx);
    const created = await tx.changeRequest.create({
      data: { clusterId: cluster.id, title: input.title, description: input.description ?? "", authorId, authorName: actor.name, baseRevision },
    });
    if (inputs.length) {
      const store = await loadStore(cluster.id, tx);
      const changes = await resolveChanges(tx, cluster.id, inputs, "upsert", (i) => `yaml.documents[${i}]`, store);
      await recordChanges(tx, await lockRequest(tx, created.id), cluster.id, changes, store);
    }
    const cr = await tx.changeRequest.findUniqueOrThrow({ where: { id: created.id } });
    const shown = presentSummary(cr, cluster.name);
    await appendAudit(tx, ctx, {
      action: "change.open",
      target: { type: "change_request", id: cr.id },
      after: shown,
      details: { cluster: cluster.name, changes: inputs.length },
    });
    return { ...shown, changes: inputs.length };
  });
}
