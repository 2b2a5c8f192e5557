import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import { authorise } from "../authorise";
import { yamlOf } from "../changes/present-diff";
import { clusterByName } from "../changes/store";
import { notFound } from "../errors";

/** One current resource: its document, YAML, version and the revision that last changed it. */
export async function getResource(ctx: RequestContext, clusterName: string, ref: { kind: string; namespace?: string; name: string }) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const r = await db().policyResource.findUnique({
    where: { clusterId_kind_namespace_name: { clusterId: cluster.id, kind: ref.kind, namespace: ref.namespace ?? "", name: ref.name } },
  });
  if (!r || r.deleted) throw notFound(`${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`);
  return {
    kind: r.kind,
    namespace: r.namespace || null,
    name: r.name,
    version: r.version,
    revision: r.revision,
    updatedAt: r.updatedAt.toISOString(),
    document: r.document,
    yaml: yamlOf(r.document),
  };
}
