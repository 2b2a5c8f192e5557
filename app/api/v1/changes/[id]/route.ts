import { route } from "@/server/http/route";
import { getChangeRequest } from "@/server/services/changes/get-change-request";
import { ZUuidParam } from "@/server/services/schemas";

export const GET = route({ auth: "authenticated", params: ZUuidParam }, ({ ctx, params }) => getChangeRequest(ctx, params.id));
