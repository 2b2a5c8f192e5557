import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/card";
import { currentActor } from "@/server/auth/current";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const actor = await currentActor();
  const isAdmin = actor?.roles.includes("admin") ?? false;
  const links = [
    { href: "/settings/account", title: "Account and API tokens", text: "Change your password and manage personal API tokens for automation." },
    ...(isAdmin ? [{ href: "/settings/users", title: "Users and roles", text: "Create accounts, assign roles, disable users and reset passwords." }] : []),
    ...(isAdmin ? [{ href: "/settings/changes", title: "Review and notifications", text: "Approvals required (per tier), automatic publishing, and webhooks with their delivery failures." }] : []),
  ];
  return (
    <>
      <PageHeader title="Settings" />
      <ul className="grid gap-4 md:grid-cols-2">
        {links.map((l) => (
          <li key={l.href}>
            <Link href={l.href} className="block rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-500">
              <span className="font-medium text-brand-700">{l.title}</span>
              <span className="mt-1 block text-sm text-slate-600">{l.text}</span>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
