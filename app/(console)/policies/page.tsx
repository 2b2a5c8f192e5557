import type { Metadata } from "next";
import { PolicyBoard } from "@/components/policies/policy-board";
import { currentActor } from "@/server/auth/current";

export const metadata: Metadata = { title: "Policies" };

export default async function PoliciesPage() {
  const actor = await currentActor();
  return <PolicyBoard canAuthor={actor?.roles.includes("author") ?? false} />;
}
