import { route } from "@/server/http/route";
import { getChangeImpact } from "@/server/services/changes/get-change-impact";
import { ZUuidParam } from "@/server/services/schemas";

/** Pods newly (no longer) selected by each changed policy, and sampled flows that change verdict. */
export const GET = route({ auth: "authenticated", params: ZUuidParam }, ({ ctx, params }) => getChangeImpact(ctx, params.id));
