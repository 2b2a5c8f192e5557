import { z } from "zod";
import { route } from "@/server/http/route";
import { AGENT_SORTS, AGENT_STATUSES, listAgents } from "@/server/services/agents/list-agents";
import { ZClusterParam, ZPageQuery } from "@/server/services/schemas";

const ZQuery = z.strictObject({
  q: z.string().max(253).optional(),
  status: z.enum(AGENT_STATUSES, { error: `status must be one of ${AGENT_STATUSES.join(", ")}` }).optional(),
  sort: z.enum(AGENT_SORTS, { error: `sort must be one of ${AGENT_SORTS.join(", ")}` }).optional(),
  dir: z.enum(["asc", "desc"], { error: "dir must be asc or desc" }).optional(),
  ...ZPageQuery,
});

/** The cluster's agents: paginated, sortable, filterable by node name and status. */
export const GET = route({ auth: "authenticated", params: ZClusterParam, query: ZQuery }, ({ ctx, params, query }) => listAgents(ctx, params.cluster, query));
