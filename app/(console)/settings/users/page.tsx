import type { Metadata } from "next";
import { UsersAdmin } from "@/components/users/users-admin";
import { Forbidden } from "@/components/ui/forbidden";
import { currentActor } from "@/server/auth/current";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const actor = await currentActor();
  if (!actor?.roles.includes("admin")) return <Forbidden title="Users and roles" role="admin" />;
  return <UsersAdmin currentUsername={actor.name} />;
}
