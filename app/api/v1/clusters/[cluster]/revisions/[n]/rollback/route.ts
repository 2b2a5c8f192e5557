import { route } from "@/server/http/route";
import { proposeRollback } from "@/server/services/changes/propose-rollback";
import { ZRevisionParam } from "@/server/services/schemas";

/** Proposes a change request that restores the resources of revision n. */
export const POST = route({ auth: ["author"], params: ZRevisionParam, status: 201 }, ({ ctx, params }) => proposeRollback(ctx, params.cluster, params.n));
