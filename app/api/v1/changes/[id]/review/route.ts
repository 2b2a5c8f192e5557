import { route } from "@/server/http/route";
import { ZReview } from "@/server/policy/changes";
import { reviewChangeRequest } from "@/server/services/changes/review-change-request";
import { ZUuidParam } from "@/server/services/schemas";

/** Approve or reject with a comment; the author of the request is refused (403). */
export const POST = route({ auth: ["approver"], params: ZUuidParam, body: ZReview }, ({ ctx, params, body }) => reviewChangeRequest(ctx, params.id, body));
