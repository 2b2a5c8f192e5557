import type { RoleName } from "@/server/policy/roles";

export interface NavItem {
  href: string;
  label: string;
  /** Shown only to these roles (all signed-in users when absent). */
  roles?: RoleName[];
}

export const NAV: NavItem[] = [
  { href: "/", label: "Dashboard" },
  { href: "/policies", label: "Policies" },
  { href: "/import", label: "Import / export" },
  { href: "/inventory", label: "Inventory" },
  { href: "/network-sets", label: "Network sets" },
  { href: "/dns", label: "DNS policy" },
  { href: "/egress", label: "Egress" },
  { href: "/changes", label: "Changes" },
  { href: "/audit", label: "Audit", roles: ["auditor", "admin"] },
  { href: "/clusters", label: "Clusters" },
  { href: "/settings", label: "Settings" },
];
