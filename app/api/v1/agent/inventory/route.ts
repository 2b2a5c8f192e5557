import { route } from "@/server/http/route";
import { reportAgentInventory } from "@/server/services/agents/report-agent-inventory";
import { ZAgentInventory } from "@/server/services/agents/schemas";

export const PUT = route({ auth: "agent", body: ZAgentInventory, bodyLimit: 16_000_000 }, ({ ctx, body }) => reportAgentInventory(ctx, body));
