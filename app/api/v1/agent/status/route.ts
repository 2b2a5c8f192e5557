export { agentStatus as POST } from "@/server/http/agent-routes";
