import { route } from "@/server/http/route";
import { ZUuidParam } from "@/server/services/schemas";
import { revokeAgent } from "@/server/services/agents/revoke-agent";

export const POST = route({ auth: ["admin"], params: ZUuidParam }, ({ ctx, params }) => revokeAgent(ctx, params.id));
