import { z } from "zod";
import { route } from "@/server/http/route";
import { getClusterDetail } from "@/server/services/agents/get-cluster-detail";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63) });

export const GET = route({ auth: "authenticated", params: ZParams }, ({ ctx, params }) => getClusterDetail(ctx, params.cluster));
