import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db, Prisma } from "../../db";
import { authorise } from "../authorise";
import { conflict } from "../errors";

export async function createCluster(ctx: RequestContext, input: { name: string; displayName: string; description?: string }) {
  authorise(ctx, ["admin"]);
  try {
    return await db().$transaction(async (tx) => {
      const c = await tx.cluster.create({ data: { name: input.name, displayName: input.displayName, description: input.description ?? "" } });
      const shown = { id: c.id, name: c.name, displayName: c.displayName, description: c.description, createdAt: c.createdAt.toISOString() };
      await appendAudit(tx, ctx, { action: "cluster.create", target: { type: "cluster", id: c.id }, after: shown });
      return shown;
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw conflict(`a cluster named "${input.name}" already exists`, { errors: [{ path: "name", message: "this name is taken" }] });
    }
    throw err;
  }
}
