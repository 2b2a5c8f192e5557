import { z } from "zod";
import { route } from "@/server/http/route";
import { listPods } from "@/server/services/inventory/list-pods";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63) });
const ZQuery = z.strictObject({
  namespace: z.string().max(253).optional(),
  label: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().min(1).max(400).regex(/^[A-Za-z0-9_./-]+(=.*)?$/, { error: "use key=value or key" })).max(20))
    .optional(),
  q: z.string().max(200).optional(),
  node: z.string().max(253).optional(),
  sort: z.enum(["name", "namespace", "node"]).optional(),
  dir: z.enum(["asc", "desc"]).optional(),
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
  pageSize: z.coerce.number().int().min(1).max(500).optional(),
});

export const GET = route({ auth: "authenticated", params: ZParams, query: ZQuery }, ({ ctx, params, query }) => listPods(ctx, params.cluster, query));
