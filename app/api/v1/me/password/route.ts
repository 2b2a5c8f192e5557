import { route } from "@/server/http/route";
import { ZChangeOwnPassword } from "@/server/services/schemas";
import { changeOwnPassword } from "@/server/services/auth/change-own-password";

export const POST = route({ auth: "authenticated", body: ZChangeOwnPassword }, ({ ctx, body }) => changeOwnPassword(ctx, body));
