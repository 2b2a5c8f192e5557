import type { RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { verifyAuditChain } from "../../audit/verify";
import { db } from "../../db";
import { authorise } from "../authorise";

/** Walks the audit chain and reports the first broken row; the check itself is audited. */
export async function verifyAudit(ctx: RequestContext) {
  authorise(ctx, ["admin", "auditor"]);
  const report = await verifyAuditChain(db());
  await db().$transaction((tx) =>
    appendAudit(tx, ctx, { action: "audit.verify", outcome: report.ok ? "success" : "failure", details: report }),
  );
  return report;
}
