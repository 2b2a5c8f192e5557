import { route } from "@/server/http/route";
import { verifyAudit } from "@/server/services/audit/verify-audit";

export const POST = route({ auth: ["admin", "auditor"] }, ({ ctx }) => verifyAudit(ctx));
