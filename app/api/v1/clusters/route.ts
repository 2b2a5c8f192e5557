import { route } from "@/server/http/route";
import { listClusters } from "@/server/services/clusters/list-clusters";

export const GET = route({ auth: "authenticated" }, ({ ctx }) => listClusters(ctx));
