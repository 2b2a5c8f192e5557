import type { Metadata } from "next";
import { ImportExport } from "@/components/import/import-export";
import { currentActor } from "@/server/auth/current";

export const metadata: Metadata = { title: "Import / export" };

export default async function ImportPage() {
  const actor = await currentActor();
  return <ImportExport canAuthor={actor?.roles.includes("author") ?? false} />;
}
