import { route } from "@/server/http/route";
import { rebaseChangeRequest } from "@/server/services/changes/rebase-change-request";
import { ZUuidParam } from "@/server/services/schemas";

export const POST = route({ auth: ["author"], params: ZUuidParam }, ({ ctx, params }) => rebaseChangeRequest(ctx, params.id));
