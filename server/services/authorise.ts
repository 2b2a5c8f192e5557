import { hasAnyRole, type RequestContext, type RoleName, type Actor } from "../auth/actor";
import { ServiceError } from "./errors";

/** First step of every service: who is acting, and may they? */
export function authorise(ctx: RequestContext, roles: readonly RoleName[] | "authenticated"): Actor {
  if (!ctx.actor) throw new ServiceError("unauthenticated", "sign in to continue");
  if (roles !== "authenticated" && !hasAnyRole(ctx.actor, roles)) {
    throw new ServiceError("forbidden", `this action needs one of the roles: ${roles.join(", ")}`);
  }
  return ctx.actor;
}
