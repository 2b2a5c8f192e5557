import { route } from "@/server/http/route";
import { ZCreateApiToken } from "@/server/services/schemas";
import { createApiToken } from "@/server/services/tokens/create-api-token";
import { listApiTokens } from "@/server/services/tokens/list-api-tokens";

export const GET = route({ auth: "authenticated" }, ({ ctx }) => listApiTokens(ctx));
export const POST = route({ auth: "authenticated", body: ZCreateApiToken, status: 201 }, ({ ctx, body }) => createApiToken(ctx, body));
