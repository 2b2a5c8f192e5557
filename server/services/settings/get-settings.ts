import type { RequestContext } from "../../auth/actor";
import { authorise } from "../authorise";
import { approvalSettings } from "./approval-settings";

/** Console settings that every signed-in user may read (they explain what a request needs). */
export async function getSettings(ctx: RequestContext) {
  authorise(ctx, "authenticated");
  return { approvals: await approvalSettings() };
}
