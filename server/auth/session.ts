import { config } from "../config";
import { db, type PrismaClient, type Tx } from "../db";
import type { Actor, RoleName } from "./actor";
import { looksLikeAgentSecret, looksLikeApiToken, newSessionSecret, sha256 } from "./tokens";

export const SESSION_COOKIE_SECURE = "__Host-portcullis_session";
export const SESSION_COOKIE_PLAIN = "portcullis_session";

export function sessionCookieName(secure: boolean): string {
  return secure ? SESSION_COOKIE_SECURE : SESSION_COOKIE_PLAIN;
}

/** Options for the session cookie: HttpOnly, SameSite=Lax, Secure (with the __Host- prefix) behind HTTPS. */
export function sessionCookieOptions(secure: boolean, maxAgeSeconds: number) {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    secure,
    path: "/",
    maxAge: maxAgeSeconds,
  };
}

export async function createSession(userId: string, meta: { ip: string | null; userAgent: string | null }, tx: Tx | PrismaClient = db()) {
  const secret = newSessionSecret();
  const ttlMs = config().PORTCULLIS_SESSION_TTL_HOURS * 3600_000;
  const session = await tx.session.create({
    data: {
      tokenHash: sha256(secret),
      userId,
      expiresAt: new Date(Date.now() + ttlMs),
      ip: meta.ip,
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
    },
  });
  return { secret, session, maxAgeSeconds: Math.floor(ttlMs / 1000) };
}

/**
 * Resolves a session cookie value to its user. Sessions end at their absolute expiry, after
 * the idle timeout, when the user is disabled, or at logout (row deleted).
 */
export async function actorFromSession(secret: string): Promise<Actor | null> {
  if (!secret || secret.length > 128) return null;
  const session = await db().session.findUnique({ where: { tokenHash: sha256(secret) }, include: { user: true } });
  if (!session) return null;
  const now = Date.now();
  const idleMs = config().PORTCULLIS_SESSION_IDLE_MINUTES * 60_000;
  if (session.expiresAt.getTime() <= now || session.lastSeenAt.getTime() + idleMs <= now || session.user.disabled) {
    await db().session.deleteMany({ where: { id: session.id } });
    return null;
  }
  // Touch at most once a minute to keep the idle timer without a write per request.
  if (now - session.lastSeenAt.getTime() > 60_000) {
    await db().session.update({ where: { id: session.id }, data: { lastSeenAt: new Date(now) } }).catch(() => {});
  }
  return {
    type: "user",
    id: session.user.id,
    name: session.user.username,
    roles: session.user.roles as RoleName[],
    sessionId: session.id,
  };
}

/** Resolves `Authorization: Bearer pcl_...` to the token's owner, with the owner's roles. */
export async function actorFromApiToken(token: string): Promise<Actor | null> {
  if (!looksLikeApiToken(token)) return null;
  const row = await db().apiToken.findUnique({ where: { tokenHash: sha256(token) }, include: { user: true } });
  if (!row || row.revokedAt || row.user.disabled) return null;
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db().apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
  }
  return {
    type: "token",
    id: row.id,
    name: `${row.user.username} (token ${row.name})`,
    roles: row.user.roles as RoleName[],
    userId: row.userId,
    tokenId: row.id,
  };
}

/** Resolves `Authorization: Bearer pca_...` to a registered, unrevoked agent. */
export async function actorFromAgentCredential(credential: string): Promise<Actor | null> {
  if (!looksLikeAgentSecret("credential", credential)) return null;
  // One round trip: every agent request is authenticated, and a publish wakes them all at once.
  const rows = await db().$queryRaw<Array<{ id: string; cluster_id: string; node_name: string; cluster_name: string }>>`
    SELECT a.id::text AS id, a.cluster_id::text AS cluster_id, a.node_name, c.name AS cluster_name
      FROM agents a JOIN clusters c ON c.id = a.cluster_id
     WHERE a.credential_hash = ${sha256(credential)} AND a.revoked_at IS NULL`;
  const agent = rows[0];
  if (!agent) return null;
  return {
    type: "agent",
    id: agent.id,
    name: `agent ${agent.cluster_name}/${agent.node_name}`,
    roles: [],
    clusterId: agent.cluster_id,
    clusterName: agent.cluster_name,
    nodeName: agent.node_name,
  };
}
