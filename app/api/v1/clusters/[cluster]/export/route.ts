import { z } from "zod";
import { route } from "@/server/http/route";
import { exportYaml } from "@/server/services/policies/export-yaml";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63) });
const KINDS = ["Tier", "NetworkPolicy", "GlobalNetworkPolicy", "StagedNetworkPolicy", "StagedGlobalNetworkPolicy", "NetworkSet", "GlobalNetworkSet", "EgressIPPool", "EgressAssignment"] as const;
const ZQuery = z.strictObject({
  kind: z
    .union([z.enum(KINDS), z.array(z.enum(KINDS))])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .optional(),
  namespace: z.string().max(253).optional(),
});

/** The published resources as YAML (all, or by kind and namespace). */
export const GET = route({ auth: "authenticated", params: ZParams, query: ZQuery }, ({ ctx, params, query }) => exportYaml(ctx, params.cluster, query));
