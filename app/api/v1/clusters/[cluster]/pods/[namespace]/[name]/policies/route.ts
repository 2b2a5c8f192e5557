import { z } from "zod";
import { route } from "@/server/http/route";
import { getPodPolicies } from "@/server/services/policies/get-pod-policies";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63), namespace: z.string().min(1).max(253), name: z.string().min(1).max(253) });

export const GET = route({ auth: "authenticated", params: ZParams }, ({ ctx, params }) => getPodPolicies(ctx, params.cluster, params.namespace, params.name));
