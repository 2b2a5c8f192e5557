import { route } from "@/server/http/route";
import { getRevision } from "@/server/services/revisions/get-revision";
import { ZRevisionParam } from "@/server/services/schemas";

export const GET = route({ auth: "authenticated", params: ZRevisionParam }, ({ ctx, params }) => getRevision(ctx, params.cluster, params.n));
