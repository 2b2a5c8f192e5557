export { agentBundles as GET } from "@/server/http/agent-routes";
