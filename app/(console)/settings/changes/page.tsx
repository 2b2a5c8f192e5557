import type { Metadata } from "next";
import { ChangeSettings } from "@/components/settings/change-settings";
import { Forbidden } from "@/components/ui/forbidden";
import { currentActor } from "@/server/auth/current";

export const metadata: Metadata = { title: "Review and notifications" };

export default async function Page() {
  const actor = await currentActor();
  if (!actor?.roles.includes("admin")) return <Forbidden title="Review and notifications" role="admin" />;
  return <ChangeSettings />;
}
