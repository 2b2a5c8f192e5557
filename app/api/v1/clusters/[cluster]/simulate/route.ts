import { z } from "zod";
import { route } from "@/server/http/route";
import { ZSimulateFlow } from "@/server/policy/simulation";
import { simulateFlow } from "@/server/services/policies/simulate-flow";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63) });

/** Evaluates a flow against the published policy (reads only; POST because the flow is a body). */
export const POST = route({ auth: "authenticated", params: ZParams, body: ZSimulateFlow, readOnly: true }, ({ ctx, params, body }) => simulateFlow(ctx, params.cluster, body));
