import { db, type PrismaClient, type Tx } from "../../db";
import { DEFAULT_APPROVAL_SETTINGS, ZApprovalSettings, type TApprovalSettings } from "../../policy/changes";

export const APPROVAL_SETTINGS_KEY = "changes.approvals";

/** The approval settings (defaults when never saved or unreadable). */
export async function approvalSettings(client: Tx | PrismaClient = db()): Promise<TApprovalSettings> {
  const row = await client.setting.findUnique({ where: { key: APPROVAL_SETTINGS_KEY } });
  if (!row) return DEFAULT_APPROVAL_SETTINGS;
  const parsed = ZApprovalSettings.safeParse(row.value);
  return parsed.success ? parsed.data : DEFAULT_APPROVAL_SETTINGS;
}

/** Approvals needed for a request touching these tiers: the highest of the default and each tier's override. */
export function requiredApprovalsFor(settings: TApprovalSettings, tiers: Iterable<string>): number {
  let n = settings.requiredApprovals;
  for (const t of tiers) n = Math.max(n, settings.tierOverrides[t] ?? 0);
  return n;
}
