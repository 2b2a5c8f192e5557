import type { RequestContext, RoleName } from "../../auth/actor";
import { dummyHash, verifyPassword } from "../../auth/password";
import { createSession } from "../../auth/session";
import { clearFailures, isThrottled, recordFailure } from "../../auth/throttle";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { ServiceError } from "../errors";

const BAD_CREDENTIALS = "the username or password is incorrect";

/**
 * Verifies a username and password and opens a new session (always a new id). Unknown users
 * and wrong passwords get the same answer after the same work; repeated failures per account
 * and per address are throttled. Success and failure are both audited.
 */
export async function login(ctx: RequestContext, input: { username: string; password: string }) {
  const username = input.username.trim().toLowerCase();
  const client = db();
  const lockedUntil = await client.$transaction((tx) => isThrottled(tx, username, ctx.ip));
  if (lockedUntil) {
    await client.$transaction((tx) =>
      appendAudit(tx, ctx, {
        action: "auth.login",
        outcome: "denied",
        actor: { type: "anonymous", id: null, name: username },
        details: { reason: "throttled" },
      }),
    );
    throw new ServiceError("rate_limited", "too many failed sign-in attempts; try again later", {
      retryAfterSeconds: Math.max(1, Math.ceil((lockedUntil.getTime() - Date.now()) / 1000)),
    });
  }

  const user = await client.user.findUnique({ where: { username } });
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), input.password);
  if (!user || !ok || user.disabled) {
    await client.$transaction(async (tx) => {
      await recordFailure(tx, username, ctx.ip);
      await appendAudit(tx, ctx, {
        action: "auth.login",
        outcome: "failure",
        actor: { type: "anonymous", id: null, name: username },
        target: user ? { type: "user", id: user.id } : null,
        details: { reason: "bad credentials" },
      });
    });
    throw new ServiceError("unauthenticated", BAD_CREDENTIALS);
  }

  return client.$transaction(async (tx) => {
    await clearFailures(tx, username);
    const session = await createSession(user.id, { ip: ctx.ip, userAgent: ctx.userAgent }, tx);
    await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    const actor = { type: "user" as const, id: user.id, name: user.username, roles: user.roles as RoleName[], sessionId: session.session.id };
    await appendAudit(tx, { ...ctx, actor }, { action: "auth.login", target: { type: "user", id: user.id } });
    return {
      secret: session.secret,
      maxAgeSeconds: session.maxAgeSeconds,
      user: { id: user.id, username: user.username, displayName: user.displayName, roles: user.roles as RoleName[] },
    };
  });
}
