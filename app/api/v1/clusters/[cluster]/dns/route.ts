import { z } from "zod";
import { route } from "@/server/http/route";
import { getDnsView } from "@/server/services/dns/get-dns-view";
import { ZClusterParam, ZPageQuery } from "@/server/services/schemas";

const ZQuery = z.strictObject({
  q: z.string().max(253).optional(),
  sort: z.enum(["name", "expiry", "node"], { error: "sort must be name, expiry or node" }).optional(),
  ...ZPageQuery,
});

/** DNS policy of a cluster; the learned names and addresses are paginated, sortable and filterable. */
export const GET = route({ auth: "authenticated", params: ZClusterParam, query: ZQuery }, ({ ctx, params, query }) => getDnsView(ctx, params.cluster, query));
