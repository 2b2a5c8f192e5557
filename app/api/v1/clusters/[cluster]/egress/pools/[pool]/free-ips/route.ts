import { z } from "zod";
import { route } from "@/server/http/route";
import { ipv4ToNumber } from "@/server/policy/egress-space";
import { listFreeEgressIps } from "@/server/services/egress/list-free-egress-ips";
import { ZPageQuery } from "@/server/services/schemas";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63), pool: z.string().min(1).max(253) });
const ZQuery = z
  .strictObject({
    ...ZPageQuery,
    from: z.string().max(15).refine((s) => ipv4ToNumber(s) !== null, { error: "must be an IPv4 address" }).optional(),
    namespace: z.string().min(1).max(63).optional(),
    name: z.string().min(1).max(253).optional(),
  })
  .refine((q) => (q.namespace === undefined) === (q.name === undefined), { error: "give namespace and name together", path: ["name"] });

/** Free addresses of an egress IP pool (published state plus the caller's draft), in address order. */
export const GET = route({ auth: "authenticated", params: ZParams, query: ZQuery }, ({ ctx, params, query }) => listFreeEgressIps(ctx, params.cluster, params.pool, query));
