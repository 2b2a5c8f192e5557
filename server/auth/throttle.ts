import { config } from "../config";
import type { Tx } from "../db";

/**
 * Login throttling per account and per source address, in Postgres so that every console
 * replica sees the same counters. After `PORTCULLIS_LOGIN_MAX_FAILURES` failures in the window
 * the key is locked for the rest of the window (per address the allowance is 4x, so one
 * office behind NAT is not locked out by one user).
 */
export function throttleKeys(username: string, ip: string | null): Array<{ key: string; max: number }> {
  const max = config().PORTCULLIS_LOGIN_MAX_FAILURES;
  const keys = [{ key: `user:${username.toLowerCase()}`, max }];
  if (ip) keys.push({ key: `ip:${ip}`, max: max * 4 });
  return keys;
}

export async function isThrottled(tx: Tx, username: string, ip: string | null): Promise<Date | null> {
  const rows = await tx.loginThrottle.findMany({ where: { key: { in: throttleKeys(username, ip).map((k) => k.key) } } });
  const now = Date.now();
  const locked = rows.map((r) => r.lockedUntil).filter((d): d is Date => d !== null && d.getTime() > now);
  if (locked.length === 0) return null;
  return new Date(Math.max(...locked.map((d) => d.getTime())));
}

export async function recordFailure(tx: Tx, username: string, ip: string | null): Promise<void> {
  const windowMs = config().PORTCULLIS_LOGIN_WINDOW_SECONDS * 1000;
  for (const { key, max } of throttleKeys(username, ip)) {
    const now = new Date();
    const row = await tx.loginThrottle.findUnique({ where: { key } });
    const fresh = !row || now.getTime() - row.windowStart.getTime() > windowMs;
    const failures = fresh ? 1 : row.failures + 1;
    const windowStart = fresh ? now : row.windowStart;
    const lockedUntil = failures >= max ? new Date(windowStart.getTime() + windowMs) : null;
    await tx.loginThrottle.upsert({
      where: { key },
      create: { key, failures, windowStart, lockedUntil },
      update: { failures, windowStart, lockedUntil },
    });
  }
}

export async function clearFailures(tx: Tx, username: string): Promise<void> {
  await tx.loginThrottle.deleteMany({ where: { key: `user:${username.toLowerCase()}` } });
}
