import { z } from "zod";
import { route } from "@/server/http/route";
import { getAuditEvent } from "@/server/services/audit/get-audit-event";

const ZParams = z.strictObject({ seq: z.string().regex(/^[0-9]{1,19}$/).transform((s) => BigInt(s)) });

export const GET = route({ auth: ["auditor", "admin"], params: ZParams }, ({ ctx, params }) => getAuditEvent(ctx, params.seq));
