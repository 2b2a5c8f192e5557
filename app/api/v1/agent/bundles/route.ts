import { route } from "@/server/http/route";
import type { SignedBundle } from "@/server/policy/bundle";
import { getAgentBundle } from "@/server/services/agents/get-agent-bundle";
import { ZBundleQuery } from "@/server/services/agents/schemas";

/**
 * A revision's bundle is immutable and the service hands out one object per revision, so its JSON
 * text is made once, not once per agent.
 */
const encoded = new WeakMap<SignedBundle, Uint8Array>();

/** Long-poll: 200 with the latest signed bundle once a revision newer than `after` exists, else 204. */
export const GET = route({ auth: "agent", query: ZBundleQuery }, async ({ ctx, query, req }) => {
  const bundle = await getAgentBundle(ctx, query, req.signal);
  if (!bundle) return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
  let body = encoded.get(bundle);
  if (!body) encoded.set(bundle, (body = new TextEncoder().encode(JSON.stringify(bundle))));
  return new Response(body.slice(), { status: 200, headers: { "content-type": "application/json", "cache-control": "no-store" } });
});
