import { z } from "zod";
import { route } from "@/server/http/route";
import { getDnsView } from "@/server/services/dns/get-dns-view";

const ZParams = z.strictObject({ cluster: z.string().min(1).max(63) });

export const GET = route({ auth: "authenticated", params: ZParams }, ({ ctx, params }) => getDnsView(ctx, params.cluster));
