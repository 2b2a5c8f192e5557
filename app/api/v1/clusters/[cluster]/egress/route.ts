import { z } from "zod";
import { route } from "@/server/http/route";
import { getEgressView } from "@/server/services/egress/get-egress-view";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63) });

export const GET = route({ auth: "authenticated", params: ZParams }, ({ ctx, params }) => getEgressView(ctx, params.cluster));
