import { z } from "zod";
import { route } from "@/server/http/route";
import { getResource } from "@/server/services/resources/get-resource";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63), kind: z.string().min(1).max(64), name: z.string().min(1).max(253) });
const ZQuery = z.strictObject({ namespace: z.string().max(63).optional() });

export const GET = route({ auth: "authenticated", params: ZParams, query: ZQuery }, ({ ctx, params, query }) =>
  getResource(ctx, params.cluster, { kind: params.kind, name: params.name, namespace: query.namespace }),
);
