import type { Metadata } from "next";
import { NotAvailable } from "@/components/ui/not-available";

export const metadata: Metadata = { title: "Audit" };

export default function Page() {
  return (
    <NotAvailable
      title="Audit"
      description="The tamper-evident record of every action in the console."
      planned={[
        "Filtering by time, actor, action, target and outcome",
        "Before and after of every change",
        "Streaming export as NDJSON or CSV that verifies against the chain",
      ]}
    />
  );
}
