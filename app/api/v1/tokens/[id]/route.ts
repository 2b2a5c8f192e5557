import { route } from "@/server/http/route";
import { ZUuidParam } from "@/server/services/schemas";
import { revokeApiToken } from "@/server/services/tokens/revoke-api-token";

export const DELETE = route({ auth: "authenticated", params: ZUuidParam }, ({ ctx, params }) => revokeApiToken(ctx, params.id));
