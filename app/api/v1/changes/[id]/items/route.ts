import { route } from "@/server/http/route";
import { ZAddChanges } from "@/server/policy/changes";
import { addChanges } from "@/server/services/changes/add-changes";
import { ZUuidParam } from "@/server/services/schemas";

export const POST = route({ auth: ["author"], params: ZUuidParam, body: ZAddChanges, bodyLimit: 6_000_000 }, ({ ctx, params, body }) => addChanges(ctx, params.id, body));
