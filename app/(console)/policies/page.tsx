import type { Metadata } from "next";
import { PolicyBoard } from "@/components/policies/policy-board";

export const metadata: Metadata = { title: "Policies" };

export default function PoliciesPage() {
  return <PolicyBoard />;
}
