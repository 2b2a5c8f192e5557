import type { Metadata } from "next";
import { NotAvailable } from "@/components/ui/not-available";

export const metadata: Metadata = { title: "Changes" };

export default function Page() {
  return (
    <NotAvailable
      title="Changes"
      description="Every change to policy is proposed, reviewed by someone else, and published as a signed revision."
      planned={[
        "Change requests with per-resource diffs and impact",
        "Approvals and comments (no one approves their own change)",
        "Revision history with rollback proposals",
      ]}
    />
  );
}
