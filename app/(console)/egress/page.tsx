import type { Metadata } from "next";
import { NotAvailable } from "@/components/ui/not-available";

export const metadata: Metadata = { title: "Egress" };

export default function Page() {
  return (
    <NotAvailable
      title="Egress"
      description="Fixed, routable source addresses per namespace for traffic leaving the cluster."
      planned={[
        "Egress IP pools with utilisation",
        "Namespace assignments with automatic or chosen addresses",
        "A firewall view of namespace, egress IP and destinations, exportable as CSV and JSON",
      ]}
    />
  );
}
