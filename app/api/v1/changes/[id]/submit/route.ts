import { route } from "@/server/http/route";
import { submitChangeRequest } from "@/server/services/changes/submit-change-request";
import { ZUuidParam } from "@/server/services/schemas";

export const POST = route({ auth: ["author"], params: ZUuidParam }, ({ ctx, params }) => submitChangeRequest(ctx, params.id));
