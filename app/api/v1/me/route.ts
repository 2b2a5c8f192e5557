import { route } from "@/server/http/route";
import { getMe } from "@/server/services/auth/get-me";

export const GET = route({ auth: "authenticated" }, ({ ctx }) => getMe(ctx));
