import { z } from "zod";
import { route } from "@/server/http/route";
import { exportYaml } from "@/server/services/policies/export-yaml";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63) });
const KINDS = ["Tier", "NetworkPolicy", "GlobalNetworkPolicy", "StagedNetworkPolicy", "StagedGlobalNetworkPolicy", "NetworkSet", "GlobalNetworkSet", "EgressIPPool", "EgressAssignment"] as const;
/** A repeatable query parameter: one value or several, always a list (errors name `param[i]`). */
const list = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(item));
/** `Kind/namespace/name`, the namespace empty for cluster-scoped kinds: `GlobalNetworkSet//threats`. */
const ZResourceRef = z
  .string()
  .max(400)
  .transform((s, ctx) => {
    const parts = s.split("/");
    if (parts.length !== 3 || !(KINDS as readonly string[]).includes(parts[0]!) || !parts[2]) {
      ctx.addIssue({ code: "custom", message: `"${s}" must be Kind/namespace/name (namespace empty for cluster-scoped kinds), with Kind one of ${KINDS.join(", ")}` });
      return z.NEVER;
    }
    return { kind: parts[0]!, namespace: parts[1]!, name: parts[2]! };
  });
const ZQuery = z.strictObject({
  kind: list(z.enum(KINDS)).optional(),
  namespace: z.string().max(253).optional(),
  resource: list(ZResourceRef).refine((r) => r.length <= 500, { error: "at most 500 resources at once" }).optional(),
});

/** The published resources as YAML: all, or a selection by kind, namespace and/or hand-picked resources. */
export const GET = route({ auth: "authenticated", params: ZParams, query: ZQuery }, ({ ctx, params, query }) => exportYaml(ctx, params.cluster, query));
