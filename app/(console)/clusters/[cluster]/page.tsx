import type { Metadata } from "next";
import { ClusterDetail } from "@/components/clusters/cluster-detail";
import { currentActor } from "@/server/auth/current";

export const metadata: Metadata = { title: "Cluster" };

export default async function ClusterPage({ params }: { params: Promise<{ cluster: string }> }) {
  const { cluster } = await params;
  const actor = await currentActor();
  return <ClusterDetail cluster={decodeURIComponent(cluster)} isAdmin={actor?.roles.includes("admin") ?? false} />;
}
