import type { Metadata } from "next";
import { ChangesPage } from "@/components/changes/changes-page";
import { currentActor } from "@/server/auth/current";

export const metadata: Metadata = { title: "Changes" };

export default async function Page() {
  const actor = await currentActor();
  return <ChangesPage roles={actor?.roles ?? []} />;
}
