import { z } from "zod";
import { route } from "@/server/http/route";
import { ZCreateUser, ZRole } from "@/server/services/schemas";
import { createUser } from "@/server/services/users/create-user";
import { listUsers } from "@/server/services/users/list-users";

const ZQuery = z.strictObject({
  q: z.string().max(100).optional(),
  role: ZRole.optional(),
  status: z.enum(["active", "disabled"]).optional(),
  sort: z.enum(["username", "createdAt", "lastLoginAt"]).optional(),
  dir: z.enum(["asc", "desc"]).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  pageSize: z.coerce.number().int().min(1).max(200).optional(),
});

export const GET = route({ auth: ["admin"], query: ZQuery }, ({ ctx, query }) => listUsers(ctx, query));
export const POST = route({ auth: ["admin"], body: ZCreateUser, status: 201 }, ({ ctx, body }) => createUser(ctx, body));
