import { z } from "zod";
import { route } from "@/server/http/route";
import { listAudit } from "@/server/services/audit/list-audit";
import { ZAuditFilters } from "@/server/services/audit/query";

const ZQuery = ZAuditFilters.extend({
  before: z.string().regex(/^[0-9]{1,19}$/, { error: "must be a row sequence number" }).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const GET = route({ auth: ["auditor", "admin"], query: ZQuery }, ({ ctx, query }) => listAudit(ctx, query));
