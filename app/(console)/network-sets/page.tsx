import type { Metadata } from "next";
import { NotAvailable } from "@/components/ui/not-available";

export const metadata: Metadata = { title: "Network sets" };

export default function Page() {
  return (
    <NotAvailable
      title="Network sets"
      description="Named, labelled lists of CIDRs and domains that policies select by label."
      planned={[
        "Global and namespaced network sets with labels",
        "Pasting or uploading CIDR lists of up to a million entries, with per-line errors and aggregation",
        "Which policies select each set",
      ]}
    />
  );
}
