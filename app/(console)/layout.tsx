import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { currentActor } from "@/server/auth/current";
import { getMe } from "@/server/services/auth/get-me";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  const me = await getMe({ actor, requestId: "page", ip: null, userAgent: null });
  return (
    <AppShell user={{ username: me.username, displayName: me.displayName, roles: me.roles }}>{children}</AppShell>
  );
}
