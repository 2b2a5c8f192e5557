import type { Metadata } from "next";
import { InventoryBrowser } from "@/components/inventory/inventory-browser";

export const metadata: Metadata = { title: "Inventory" };

export default function InventoryPage() {
  return <InventoryBrowser />;
}
