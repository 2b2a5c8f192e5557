import { actorUserId, type RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db } from "../../db";
import { authorise } from "../authorise";
import { ServiceError, notFound } from "../errors";
import type { TUpdateUser } from "../schemas";
import { presentUser } from "./present";

/**
 * Changes a user's display name, roles or disabled flag. Disabling ends the user's sessions and
 * API tokens stop working at once. Admins cannot disable themselves or remove their own admin
 * role, and the last active admin cannot lose the role.
 */
export async function updateUser(ctx: RequestContext, id: string, input: TUpdateUser) {
  const actor = authorise(ctx, ["admin"]);
  return db().$transaction(async (tx) => {
    // Serialise admin-count checks.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(7305571203)`;
    const before = await tx.user.findUnique({ where: { id } });
    if (!before) throw notFound("user");
    const self = actorUserId(actor) === id;
    const losesAdmin = (input.roles && !input.roles.includes("admin") && before.roles.includes("admin")) || (input.disabled === true && before.roles.includes("admin"));
    if (self && input.disabled === true) {
      throw new ServiceError("validation_failed", "disabled: you cannot disable your own account", { errors: [{ path: "disabled", message: "you cannot disable your own account" }] });
    }
    if (self && input.roles && !input.roles.includes("admin")) {
      throw new ServiceError("validation_failed", "roles: you cannot remove your own admin role", { errors: [{ path: "roles", message: "you cannot remove your own admin role" }] });
    }
    if (losesAdmin && !before.disabled) {
      const admins = await tx.user.count({ where: { roles: { has: "admin" }, disabled: false } });
      if (admins <= 1) throw new ServiceError("conflict", "this is the last active admin; make someone else admin first");
    }
    const after = await tx.user.update({
      where: { id },
      data: { displayName: input.displayName, roles: input.roles, disabled: input.disabled },
    });
    if (input.disabled === true || input.roles) {
      // Sessions carry roles per request from the user row; disabling must end them now.
      if (input.disabled === true) await tx.session.deleteMany({ where: { userId: id } });
    }
    await appendAudit(tx, ctx, {
      action: input.disabled === true ? "user.disable" : input.disabled === false ? "user.enable" : "user.update",
      target: { type: "user", id },
      before: presentUser(before),
      after: presentUser(after),
    });
    return presentUser(after);
  });
}
