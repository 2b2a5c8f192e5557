import type { Metadata } from "next";
import { EgressView } from "@/components/egress/egress-view";
import { currentActor } from "@/server/auth/current";

export const metadata: Metadata = { title: "Egress" };

export default async function EgressPage() {
  const actor = await currentActor();
  return <EgressView canAuthor={actor?.roles.includes("author") ?? false} />;
}
