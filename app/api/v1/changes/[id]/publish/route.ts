import { route } from "@/server/http/route";
import { publishChangeRequest } from "@/server/services/changes/publish-change-request";
import { ZUuidParam } from "@/server/services/schemas";

export const POST = route({ auth: ["approver"], params: ZUuidParam }, ({ ctx, params }) => publishChangeRequest(ctx, params.id));
