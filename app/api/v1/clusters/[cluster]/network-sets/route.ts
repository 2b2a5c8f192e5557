import { z } from "zod";
import { route } from "@/server/http/route";
import { listNetworkSets } from "@/server/services/network-sets/list-network-sets";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63) });

export const GET = route({ auth: "authenticated", params: ZParams }, ({ ctx, params }) => listNetworkSets(ctx, params.cluster));
