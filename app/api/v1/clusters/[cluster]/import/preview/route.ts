import { z } from "zod";
import { route } from "@/server/http/route";
import { ZImportYaml } from "@/server/policy/changes";
import { IMPORT_ACTIONS, previewImport } from "@/server/services/changes/preview-import";
import { ZClusterParam } from "@/server/services/schemas";

const ZPreviewImport = z.strictObject({
  yaml: ZImportYaml.shape.yaml,
  page: z.int({ error: "page must be a whole number" }).min(1).max(100_000).optional(),
  pageSize: z.int({ error: "pageSize must be a whole number" }).min(1).max(200).optional(),
  action: z.enum(IMPORT_ACTIONS, { error: `action must be one of ${IMPORT_ACTIONS.join(", ")}` }).optional(),
  q: z.string().max(253).optional(),
  sort: z.enum(["document", "kind", "name", "action"], { error: "sort must be document, kind, name or action" }).optional(),
});

/** What importing a YAML file would do against the published state plus the caller's draft (writes nothing). */
export const POST = route(
  { auth: "authenticated", params: ZClusterParam, body: ZPreviewImport, bodyLimit: 6_000_000, readOnly: true },
  ({ ctx, params, body }) => previewImport(ctx, params.cluster, body),
);
