import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { looksLikeAgentSecret, newAgentSecret, sha256 } from "../../auth/tokens";
import { db } from "../../db";
import { ServiceError } from "../errors";

/**
 * An agent exchanges a bootstrap token for its own credential (returned once, stored hashed).
 * Registering a node again replaces its credential (a reinstalled node). One-time tokens work
 * once; every token stops at its expiry or when revoked.
 */
export async function registerAgent(ctx: RequestContext, bootstrapToken: string | null, input: { cluster: string; nodeName: string; version: string }) {
  const refused = () => new ServiceError("unauthenticated", "the bootstrap token is invalid, used, expired or for another cluster");
  if (!bootstrapToken || !looksLikeAgentSecret("bootstrap", bootstrapToken)) throw refused();
  const { token: credential } = newAgentSecret("credential");
  return db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM agent_bootstrap_tokens WHERE token_hash = ${sha256(bootstrapToken)} FOR UPDATE`;
    const bt = rows[0] ? await tx.agentBootstrapToken.findUnique({ where: { id: rows[0].id }, include: { cluster: true } }) : null;
    if (!bt || bt.revokedAt || bt.expiresAt.getTime() <= Date.now() || (bt.oneTime && bt.uses > 0) || bt.cluster.name !== input.cluster) {
      await appendAudit(tx, ctx, {
        action: "agent.register",
        outcome: "denied",
        actor: { type: "anonymous", id: null, name: `agent ${input.cluster}/${input.nodeName}` },
        details: { reason: "bootstrap token refused" },
      });
      return { refused: true as const };
    }
    await tx.agentBootstrapToken.update({ where: { id: bt.id }, data: { uses: { increment: 1 }, usedAt: new Date() } });
    const agent = await tx.agent.upsert({
      where: { clusterId_nodeName: { clusterId: bt.clusterId, nodeName: input.nodeName } },
      create: { clusterId: bt.clusterId, nodeName: input.nodeName, version: input.version, credentialHash: sha256(credential) },
      update: { credentialHash: sha256(credential), version: input.version, revokedAt: null, registeredAt: new Date() },
    });
    const name = `agent ${bt.cluster.name}/${agent.nodeName}`;
    await appendAudit(tx, { ...ctx, actor: { type: "agent", id: agent.id, name, roles: [], clusterId: bt.clusterId, clusterName: bt.cluster.name, nodeName: agent.nodeName } }, {
      action: "agent.register",
      target: { type: "agent", id: agent.id },
      after: { cluster: bt.cluster.name, nodeName: agent.nodeName, version: agent.version, bootstrapToken: bt.prefix },
    });
    return { refused: false as const, agentId: agent.id, credential, cluster: bt.cluster.name, nodeName: agent.nodeName };
  }).then((r) => {
    if (r.refused) throw refused();
    return { agentId: r.agentId, credential: r.credential, cluster: r.cluster, nodeName: r.nodeName };
  });
}
