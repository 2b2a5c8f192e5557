export { agentRegister as POST } from "@/server/http/agent-routes";
