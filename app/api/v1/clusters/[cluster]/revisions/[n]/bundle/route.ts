import { route } from "@/server/http/route";
import { getBundle } from "@/server/services/revisions/get-bundle";
import { ZRevisionParam } from "@/server/services/schemas";

export const GET = route({ auth: ["viewer", "author", "approver", "auditor", "admin"], params: ZRevisionParam }, ({ ctx, params }) => getBundle(ctx, params.cluster, params.n));
