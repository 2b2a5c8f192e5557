import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { db, type Prisma } from "../../db";
import type { TApprovalSettings } from "../../policy/changes";
import { authorise } from "../authorise";
import { APPROVAL_SETTINGS_KEY, approvalSettings } from "./approval-settings";

/** Admins set the approvals required (default and per tier) and whether publishing is automatic. */
export async function updateApprovalSettings(ctx: RequestContext, input: TApprovalSettings) {
  const actor = authorise(ctx, ["admin"]);
  return db().$transaction(async (tx) => {
    const before = await approvalSettings(tx);
    await tx.setting.upsert({
      where: { key: APPROVAL_SETTINGS_KEY },
      create: { key: APPROVAL_SETTINGS_KEY, value: input as unknown as Prisma.InputJsonValue, updatedBy: actor.name },
      update: { value: input as unknown as Prisma.InputJsonValue, updatedBy: actor.name },
    });
    await appendAudit(tx, ctx, { action: "settings.approvals.update", target: { type: "setting", id: APPROVAL_SETTINGS_KEY }, before, after: input });
    return { approvals: input };
  });
}
