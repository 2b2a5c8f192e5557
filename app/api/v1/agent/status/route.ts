import { route } from "@/server/http/route";
import { reportAgentStatus } from "@/server/services/agents/report-agent-status";
import { ZAgentStatus } from "@/server/services/agents/schemas";

export const POST = route({ auth: "agent", body: ZAgentStatus }, ({ ctx, body }) => reportAgentStatus(ctx, body));
