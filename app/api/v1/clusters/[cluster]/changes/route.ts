import { route } from "@/server/http/route";
import { ZOpenFromYaml } from "@/server/policy/changes";
import { openChangeRequest } from "@/server/services/changes/open-change-request";
import { ZClusterParam } from "@/server/services/schemas";

/** Opens a draft change request; with `yaml`, the pasted resources become its changes. */
export const POST = route(
  { auth: ["author"], params: ZClusterParam, body: ZOpenFromYaml.partial({ yaml: true }), status: 201, bodyLimit: 6_000_000 },
  ({ ctx, params, body }) => openChangeRequest(ctx, params.cluster, body),
);
