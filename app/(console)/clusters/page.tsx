import type { Metadata } from "next";
import { ClustersList } from "@/components/clusters/clusters-list";
import { currentActor } from "@/server/auth/current";

export const metadata: Metadata = { title: "Clusters" };

export default async function ClustersPage() {
  const actor = await currentActor();
  return <ClustersList isAdmin={actor?.roles.includes("admin") ?? false} />;
}
