import { route } from "@/server/http/route";
import { getSettings } from "@/server/services/settings/get-settings";

export const GET = route({ auth: "authenticated" }, ({ ctx }) => getSettings(ctx));
