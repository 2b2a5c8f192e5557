import { route } from "@/server/http/route";
import { ZSaveToDraft } from "@/server/policy/changes";
import { getMyDraft } from "@/server/services/changes/get-my-draft";
import { saveToDraft } from "@/server/services/changes/save-to-draft";
import { ZClusterParam } from "@/server/services/schemas";

/** The signed-in user's open draft change request for the cluster (or null). */
export const GET = route({ auth: "authenticated", params: ZClusterParam }, ({ ctx, params }) => getMyDraft(ctx, params.cluster));

/** Save to draft: adds or replaces changes in the user's open draft, opening one if needed. */
export const POST = route({ auth: ["author"], params: ZClusterParam, body: ZSaveToDraft, bodyLimit: 6_000_000 }, ({ ctx, params, body }) => saveToDraft(ctx, params.cluster, body));
