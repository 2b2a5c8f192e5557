import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RevisionView } from "@/components/changes/revision-view";

export const metadata: Metadata = { title: "Revision" };

export default async function Page({ params }: { params: Promise<{ cluster: string; n: string }> }) {
  const { cluster, n } = await params;
  const number = Number(n);
  if (!Number.isInteger(number) || number < 1) notFound();
  return <RevisionView cluster={decodeURIComponent(cluster)} number={number} />;
}
