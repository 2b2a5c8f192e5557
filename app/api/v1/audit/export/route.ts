import { z } from "zod";
import { route } from "@/server/http/route";
import { exportAudit } from "@/server/services/audit/export-audit";
import { ZAuditFilters } from "@/server/services/audit/query";

const ZQuery = ZAuditFilters.extend({ format: z.enum(["ndjson", "csv"]).default("ndjson") });

/** Streams the filtered audit log as NDJSON or CSV, with a trailer that verifies against the chain. */
export const GET = route({ auth: ["auditor", "admin"], query: ZQuery }, async ({ ctx, query }) => {
  const { format, ...filters } = query;
  const out = await exportAudit(ctx, filters, format);
  return new Response(out.stream, {
    headers: {
      "content-type": out.contentType,
      "content-disposition": `attachment; filename="${out.filename}"`,
      "cache-control": "no-store",
      "x-audit-up-to-seq": out.upToSeq,
    },
  });
});
