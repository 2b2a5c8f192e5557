import type { Metadata } from "next";
import { ClustersList } from "@/components/clusters/clusters-list";

export const metadata: Metadata = { title: "Clusters" };

export default function ClustersPage() {
  return <ClustersList />;
}
