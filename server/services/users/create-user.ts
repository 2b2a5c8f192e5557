import type { RequestContext } from "../../auth/actor";
import { hashPassword } from "../../auth/password";
import { appendAudit } from "../../audit/append";
import { db, Prisma } from "../../db";
import { authorise } from "../authorise";
import { conflict } from "../errors";
import type { TCreateUser } from "../schemas";
import { presentUser } from "./present";

export async function createUser(ctx: RequestContext, input: TCreateUser) {
  authorise(ctx, ["admin"]);
  const passwordHash = await hashPassword(input.password);
  try {
    return await db().$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { username: input.username, displayName: input.displayName, passwordHash, roles: input.roles },
      });
      const shown = presentUser(user);
      await appendAudit(tx, ctx, { action: "user.create", target: { type: "user", id: user.id }, after: shown });
      return shown;
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw conflict(`a user named "${input.username}" already exists`, {
        errors: [{ path: "username", message: "this username is taken" }],
      });
    }
    throw err;
  }
}
