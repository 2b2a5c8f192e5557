import type { Metadata } from "next";
import { AuditLog } from "@/components/audit/audit-log";
import { Forbidden } from "@/components/ui/forbidden";
import { currentActor } from "@/server/auth/current";

export const metadata: Metadata = { title: "Audit" };

export default async function Page() {
  const actor = await currentActor();
  if (!actor?.roles.some((r) => r === "auditor" || r === "admin")) return <Forbidden title="Audit" role="auditor" />;
  return <AuditLog />;
}
