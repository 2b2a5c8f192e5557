import type { Metadata } from "next";
import { NetworkSets } from "@/components/network-sets/network-sets";
import { currentActor } from "@/server/auth/current";

export const metadata: Metadata = { title: "Network sets" };

export default async function NetworkSetsPage() {
  const actor = await currentActor();
  return <NetworkSets canAuthor={actor?.roles.includes("author") ?? false} />;
}
