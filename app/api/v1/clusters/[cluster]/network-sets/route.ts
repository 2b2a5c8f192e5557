import { z } from "zod";
import { route } from "@/server/http/route";
import { listNetworkSets, NETWORK_SET_KINDS, NETWORK_SET_SORTS } from "@/server/services/network-sets/list-network-sets";
import { ZClusterParam, ZPageQuery } from "@/server/services/schemas";

const ZQuery = z.strictObject({
  q: z.string().max(253).optional(),
  kind: z.enum(NETWORK_SET_KINDS, { error: `kind must be one of ${NETWORK_SET_KINDS.join(", ")}` }).optional(),
  label: z.string().max(1024).optional(),
  sort: z.enum(NETWORK_SET_SORTS, { error: `sort must be one of ${NETWORK_SET_SORTS.join(", ")}` }).optional(),
  dir: z.enum(["asc", "desc"], { error: "dir must be asc or desc" }).optional(),
  ...ZPageQuery,
});

export const GET = route({ auth: "authenticated", params: ZClusterParam, query: ZQuery }, ({ ctx, params, query }) => listNetworkSets(ctx, params.cluster, query));
