import type { Metadata } from "next";
import { DnsPolicyView } from "@/components/dns/dns-view";

export const metadata: Metadata = { title: "DNS policy" };

export default function DnsPage() {
  return <DnsPolicyView />;
}
