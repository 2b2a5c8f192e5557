import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { newAgentSecret, sha256 } from "../../auth/tokens";
import { config } from "../../config";
import { db } from "../../db";
import { authorise } from "../authorise";
import { clusterByName } from "../changes/store";
import { ensureSigningKey } from "../signing/signing-key";
import { installManifest } from "./install-manifest";

/** An admin creates a bootstrap token for a cluster; the token and install manifests are shown once. */
export async function createBootstrapToken(ctx: RequestContext, clusterName: string, input: { oneTime: boolean; expiresInHours: number }, requestOrigin: string) {
  const actor = authorise(ctx, ["admin"]);
  const cluster = await clusterByName(clusterName);
  const key = await ensureSigningKey();
  const { token, prefix } = newAgentSecret("bootstrap");
  const expiresAt = new Date(Date.now() + input.expiresInHours * 3600_000);
  const row = await db().$transaction(async (tx) => {
    const r = await tx.agentBootstrapToken.create({
      data: { clusterId: cluster.id, prefix, tokenHash: sha256(token), oneTime: input.oneTime, expiresAt, createdByName: actor.name },
    });
    await appendAudit(tx, ctx, {
      action: "agent.bootstrap_token.create",
      target: { type: "cluster", id: cluster.id },
      after: { id: r.id, prefix, oneTime: r.oneTime, expiresAt: expiresAt.toISOString() },
    });
    return r;
  });
  const consoleUrl = config().PORTCULLIS_PUBLIC_URL ?? requestOrigin;
  return {
    id: row.id,
    prefix,
    token,
    oneTime: row.oneTime,
    expiresAt: expiresAt.toISOString(),
    publicKey: key.publicKeyHex,
    manifest: installManifest({ cluster: cluster.name, consoleUrl, publicKeyHex: key.publicKeyHex, bootstrapToken: token }),
  };
}
