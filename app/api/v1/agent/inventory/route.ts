export { agentInventory as PUT } from "@/server/http/agent-routes";
