import { route } from "@/server/http/route";
import { getAgentBundle } from "@/server/services/agents/get-agent-bundle";
import { ZBundleQuery } from "@/server/services/agents/schemas";

/** Long-poll: 200 with the latest signed bundle once a revision newer than `after` exists, else 204. */
export const GET = route({ auth: "agent", query: ZBundleQuery }, async ({ ctx, query, req }) => {
  const bundle = await getAgentBundle(ctx, query, req.signal);
  return bundle ? bundle : new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
});
