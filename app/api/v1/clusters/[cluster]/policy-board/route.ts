import { z } from "zod";
import { route } from "@/server/http/route";
import { getPolicyBoard } from "@/server/services/policies/get-policy-board";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63) });

export const GET = route({ auth: "authenticated", params: ZParams }, ({ ctx, params }) => getPolicyBoard(ctx, params.cluster));
