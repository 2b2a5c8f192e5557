import type { Metadata } from "next";
import { NotAvailable } from "@/components/ui/not-available";

export const metadata: Metadata = { title: "Policies" };

export default function Page() {
  return (
    <NotAvailable
      title="Policies"
      description="Calico network policies, grouped by tier in evaluation order."
      planned={[
        "The policy board: tiers and policies in evaluation order, with how many pods each selects",
        "A visual editor with a live preview of the pods every selector matches",
        "A policy tester that shows the verdict and the rule that decided it",
      ]}
    />
  );
}
