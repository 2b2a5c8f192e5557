import { z } from "zod";
import { route } from "@/server/http/route";
import { createBootstrapToken } from "@/server/services/agents/create-bootstrap-token";
import { ZCreateBootstrapToken } from "@/server/services/agents/schemas";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63) });

/** Creates a bootstrap token; the response carries the token and the install manifests, once. */
export const POST = route({ auth: ["admin"], params: ZParams, body: ZCreateBootstrapToken, status: 201 }, ({ ctx, params, body, req }) =>
  createBootstrapToken(ctx, params.cluster, body, new URL(req.url).origin),
);
