import { z } from "zod";
import { route } from "@/server/http/route";
import { listResources } from "@/server/services/resources/list-resources";
import { ZClusterParam, ZPageQuery } from "@/server/services/schemas";

const ZQuery = z.strictObject({
  kind: z.string().max(64).optional(),
  namespace: z.string().max(63).optional(),
  label: z.string().max(317).optional(),
  q: z.string().max(253).optional(),
  sort: z.enum(["kind", "name", "updated"], { error: "sort must be kind, name or updated" }).optional(),
  ...ZPageQuery,
});

export const GET = route({ auth: "authenticated", params: ZClusterParam, query: ZQuery }, ({ ctx, params, query }) => listResources(ctx, params.cluster, query));
