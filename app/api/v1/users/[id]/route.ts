import { route } from "@/server/http/route";
import { ZUpdateUser, ZUuidParam } from "@/server/services/schemas";
import { updateUser } from "@/server/services/users/update-user";

export const PATCH = route({ auth: ["admin"], params: ZUuidParam, body: ZUpdateUser }, ({ ctx, params, body }) => updateUser(ctx, params.id, body));
