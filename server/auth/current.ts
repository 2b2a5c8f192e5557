import { cookies } from "next/headers";
import type { Actor } from "./actor";
import { actorFromSession, SESSION_COOKIE_PLAIN, SESSION_COOKIE_SECURE } from "./session";

/** The signed-in user for a server component, from the session cookie. */
export async function currentActor(): Promise<Actor | null> {
  const jar = await cookies();
  const secret = jar.get(SESSION_COOKIE_SECURE)?.value ?? jar.get(SESSION_COOKIE_PLAIN)?.value;
  if (!secret) return null;
  return actorFromSession(secret);
}
