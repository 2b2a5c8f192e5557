import { route } from "@/server/http/route";
import { createCluster } from "@/server/services/clusters/create-cluster";
import { listClusters } from "@/server/services/clusters/list-clusters";
import { ZCreateCluster } from "@/server/services/agents/schemas";

export const GET = route({ auth: "authenticated" }, ({ ctx }) => listClusters(ctx));
export const POST = route({ auth: ["admin"], body: ZCreateCluster, status: 201 }, ({ ctx, body }) => createCluster(ctx, body));
