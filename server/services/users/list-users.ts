import type { RequestContext } from "../../auth/actor";
import { db, type Prisma } from "../../db";
import { authorise } from "../authorise";
import { presentUser } from "./present";

export interface ListUsersInput {
  q?: string;
  role?: string;
  status?: "active" | "disabled";
  sort?: "username" | "createdAt" | "lastLoginAt";
  dir?: "asc" | "desc";
  page?: number;
  pageSize?: number;
}

/** Server-paginated, sortable, filterable list of accounts (admins only). */
export async function listUsers(ctx: RequestContext, input: ListUsersInput) {
  authorise(ctx, ["admin"]);
  const where: Prisma.UserWhereInput = {};
  if (input.q) {
    where.OR = [
      { username: { contains: input.q, mode: "insensitive" } },
      { displayName: { contains: input.q, mode: "insensitive" } },
    ];
  }
  if (input.role) where.roles = { has: input.role as never };
  if (input.status) where.disabled = input.status === "disabled";
  const pageSize = input.pageSize ?? 25;
  const page = input.page ?? 1;
  const [total, rows] = await db().$transaction([
    db().user.count({ where }),
    db().user.findMany({
      where,
      orderBy: [{ [input.sort ?? "username"]: input.dir ?? "asc" }, { id: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
  ]);
  return { items: rows.map(presentUser), total, page, pageSize };
}
