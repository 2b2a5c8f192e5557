import { route } from "@/server/http/route";
import { ZApprovalSettings } from "@/server/policy/changes";
import { updateApprovalSettings } from "@/server/services/settings/update-approval-settings";

export const PUT = route({ auth: ["admin"], body: ZApprovalSettings }, ({ ctx, body }) => updateApprovalSettings(ctx, body));
