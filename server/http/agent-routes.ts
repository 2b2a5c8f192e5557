/**
 * The agents' API: bundle long-poll, status, inventory and registration. The app's route files
 * re-export these handlers, and the console's HTTP server serves them directly too (see
 * `serveRoute`), without Next.js's page router in between: a publish wakes every agent at once.
 */
import type { SignedBundle } from "../policy/bundle";
import { getAgentBundle } from "../services/agents/get-agent-bundle";
import { registerAgent } from "../services/agents/register-agent";
import { reportAgentInventory } from "../services/agents/report-agent-inventory";
import { reportAgentStatus } from "../services/agents/report-agent-status";
import { ZAgentInventory, ZAgentStatus, ZBundleQuery, ZRegisterAgent } from "../services/agents/schemas";
import { route, type RouteHandler } from "./route";

/**
 * A revision's bundle is immutable and the service hands out one object per revision, so its JSON
 * text is made once, not once per agent.
 */
const encoded = new WeakMap<SignedBundle, Uint8Array>();

/** Long-poll: 200 with the latest signed bundle once a revision newer than `after` exists, else 204. */
export const agentBundles = route({ auth: "agent", query: ZBundleQuery }, async ({ ctx, query, req }) => {
  const bundle = await getAgentBundle(ctx, query, req.signal);
  if (!bundle) return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
  let body = encoded.get(bundle);
  if (!body) encoded.set(bundle, (body = new TextEncoder().encode(JSON.stringify(bundle))));
  return new Response(body.slice(), { status: 200, headers: { "content-type": "application/json", "cache-control": "no-store" } });
});

/** Heartbeat: applied revision and bundle hash, errors, counts, hit counters, DNS and egress state. */
export const agentStatus = route({ auth: "agent", body: ZAgentStatus }, ({ ctx, body }) => reportAgentStatus(ctx, body));

/** The node's pods and the cluster's namespaces, as the agent's informers see them. */
export const agentInventory = route({ auth: "agent", body: ZAgentInventory, bodyLimit: 16_000_000 }, ({ ctx, body }) => reportAgentInventory(ctx, body));

/** Agents exchange a bootstrap token (`Authorization: Bearer pcb_...`) for their own credential. */
export const agentRegister = route({ auth: "public", machine: true, body: ZRegisterAgent, status: 201 }, ({ ctx, body, req }) => {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
  return registerAgent(ctx, m?.[1] ?? null, body);
});

/** Path → method → handler. */
export const AGENT_ROUTES: Readonly<Record<string, Readonly<Record<string, RouteHandler>>>> = {
  "/api/v1/agent/bundles": { GET: agentBundles },
  "/api/v1/agent/status": { POST: agentStatus },
  "/api/v1/agent/inventory": { PUT: agentInventory },
  "/api/v1/agent/register": { POST: agentRegister },
};
