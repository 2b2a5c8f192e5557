import { z } from "zod";
import { route } from "@/server/http/route";
import { getInventorySnapshot } from "@/server/services/inventory/get-inventory-snapshot";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63) });

export const GET = route({ auth: "authenticated", params: ZParams }, ({ ctx, params }) => getInventorySnapshot(ctx, params.cluster));
