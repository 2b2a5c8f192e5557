import { z } from "zod";
import { route } from "@/server/http/route";
import { FIREWALL_SORTS, FIREWALL_STATUSES, firewallCsv, listFirewallRows } from "@/server/services/egress/list-firewall-rows";
import { ZClusterParam, ZPageQuery } from "@/server/services/schemas";

const ZQuery = z.strictObject({
  q: z.string().max(200).optional(),
  status: z.enum(FIREWALL_STATUSES, { error: `status must be one of ${FIREWALL_STATUSES.join(", ")}` }).optional(),
  sort: z.enum(FIREWALL_SORTS, { error: `sort must be one of ${FIREWALL_SORTS.join(", ")}` }).optional(),
  dir: z.enum(["asc", "desc"], { error: "dir must be asc or desc" }).optional(),
  /** csv or json: every matching row as a file to download, instead of a page. */
  format: z.enum(["csv", "json"], { error: "format must be csv or json" }).optional(),
  ...ZPageQuery,
});

/** The firewall view for the network team: a page of rows, or every matching row as CSV or JSON. */
export const GET = route({ auth: "authenticated", params: ZClusterParam, query: ZQuery }, async ({ ctx, params, query }) => {
  const { format, ...rest } = query;
  const result = await listFirewallRows(ctx, params.cluster, { ...rest, all: format !== undefined });
  if (!format) return result;
  const name = `egress-${result.cluster}.${format}`;
  const body = format === "csv" ? firewallCsv(result.items) : JSON.stringify(result.items, null, 2) + "\n";
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/json",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    },
  });
});
