import type { RequestContext } from "../../auth/actor";
import { db } from "../../db";
import type { SignedBundle } from "../../policy/bundle";
import { authorise } from "../authorise";
import { clusterByName } from "../changes/store";
import { notFound } from "../errors";

/** The signed bundle of a revision exactly as stored at publish time (viewers and up). */
export async function getBundle(ctx: RequestContext, clusterName: string, number: number): Promise<SignedBundle> {
  authorise(ctx, ["viewer", "author", "approver", "auditor", "admin"]);
  const cluster = await clusterByName(clusterName);
  const r = await db().revision.findUnique({
    where: { clusterId_number: { clusterId: cluster.id, number } },
    select: { bundlePayload: true, bundleSignature: true, bundleKeyId: true, bundleSha256: true },
  });
  if (!r) throw notFound(`revision ${number} of cluster "${clusterName}"`);
  return { payload: r.bundlePayload, signature: r.bundleSignature, keyId: r.bundleKeyId, sha256: r.bundleSha256 };
}
