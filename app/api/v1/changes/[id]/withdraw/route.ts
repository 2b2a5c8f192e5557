import { route } from "@/server/http/route";
import { withdrawChangeRequest } from "@/server/services/changes/withdraw-change-request";
import { ZUuidParam } from "@/server/services/schemas";

export const POST = route({ auth: ["author", "admin"], params: ZUuidParam }, ({ ctx, params }) => withdrawChangeRequest(ctx, params.id));
