import { ROLE_NAMES, type RoleName } from "../policy/roles";

export type { RoleName };
export const ROLES: readonly RoleName[] = ROLE_NAMES;

/** Who is acting: a signed-in user, a user's API token, an agent, or the console itself. */
export type Actor =
  | { type: "user"; id: string; name: string; roles: RoleName[]; sessionId: string }
  | { type: "token"; id: string; name: string; roles: RoleName[]; userId: string; tokenId: string }
  | { type: "agent"; id: string; name: string; roles: RoleName[]; clusterId: string; clusterName: string; nodeName: string }
  | { type: "system"; id: null; name: "system"; roles: RoleName[] };

export const SYSTEM_ACTOR: Actor = { type: "system", id: null, name: "system", roles: [...ROLES] };

/** Request facts every service needs for authorisation and audit. */
export interface RequestContext {
  actor: Actor | null;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

export function hasAnyRole(actor: Actor | null, roles: readonly RoleName[]): boolean {
  if (!actor) return false;
  return actor.roles.some((r) => roles.includes(r));
}

/** The user id behind an actor (the token's owner for API tokens). */
export function actorUserId(actor: Actor): string | null {
  if (actor.type === "user") return actor.id;
  if (actor.type === "token") return actor.userId;
  return null;
}
