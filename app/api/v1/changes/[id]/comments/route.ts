import { route } from "@/server/http/route";
import { ZComment } from "@/server/policy/changes";
import { commentOnChangeRequest } from "@/server/services/changes/comment-on-change-request";
import { ZUuidParam } from "@/server/services/schemas";

export const POST = route({ auth: "authenticated", params: ZUuidParam, body: ZComment, status: 201 }, ({ ctx, params, body }) => commentOnChangeRequest(ctx, params.id, body));
