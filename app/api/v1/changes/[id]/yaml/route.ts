import { route } from "@/server/http/route";
import { ZImportYaml } from "@/server/policy/changes";
import { addChanges } from "@/server/services/changes/add-changes";
import { ZUuidParam } from "@/server/services/schemas";

/** Adds pasted multi-document YAML: each resource becomes a create or an update. */
export const POST = route({ auth: ["author"], params: ZUuidParam, body: ZImportYaml, bodyLimit: 6_000_000 }, ({ ctx, params, body }) => addChanges(ctx, params.id, body));
