import { route } from "@/server/http/route";
import { ZResetPassword, ZUuidParam } from "@/server/services/schemas";
import { resetPassword } from "@/server/services/users/reset-password";

export const POST = route({ auth: ["admin"], params: ZUuidParam, body: ZResetPassword }, ({ ctx, params, body }) => resetPassword(ctx, params.id, body));
