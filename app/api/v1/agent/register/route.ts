import { route } from "@/server/http/route";
import { registerAgent } from "@/server/services/agents/register-agent";
import { ZRegisterAgent } from "@/server/services/agents/schemas";

/** Agents exchange a bootstrap token (`Authorization: Bearer pcb_...`) for their own credential. */
export const POST = route({ auth: "public", machine: true, body: ZRegisterAgent, status: 201 }, ({ ctx, body, req }) => {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
  return registerAgent(ctx, m?.[1] ?? null, body);
});
