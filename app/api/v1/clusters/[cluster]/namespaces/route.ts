import { z } from "zod";
import { route } from "@/server/http/route";
import { listNamespaces } from "@/server/services/inventory/list-namespaces";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63) });

export const GET = route({ auth: "authenticated", params: ZParams }, ({ ctx, params }) => listNamespaces(ctx, params.cluster));
