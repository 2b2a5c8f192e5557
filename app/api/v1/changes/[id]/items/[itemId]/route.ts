import { route } from "@/server/http/route";
import { removeChange } from "@/server/services/changes/remove-change";
import { ZChangeItemParam } from "@/server/services/schemas";

export const DELETE = route({ auth: ["author"], params: ZChangeItemParam }, ({ ctx, params }) => removeChange(ctx, params.id, params.itemId));
