import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ChangeRequestView } from "@/components/changes/change-request-view";

export const metadata: Metadata = { title: "Change request" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  return <ChangeRequestView id={id} />;
}
