import { z } from "zod";
import { route } from "@/server/http/route";
import { listRevisions } from "@/server/services/revisions/list-revisions";
import { ZClusterParam, ZPageQuery } from "@/server/services/schemas";

export const GET = route({ auth: "authenticated", params: ZClusterParam, query: z.strictObject(ZPageQuery) }, ({ ctx, params, query }) => listRevisions(ctx, params.cluster, query));
