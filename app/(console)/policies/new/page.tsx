import type { Metadata } from "next";
import { PolicyEditorPage } from "@/components/policies/editor/policy-editor-page";
import { currentActor } from "@/server/auth/current";

export const metadata: Metadata = { title: "New policy" };

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function NewPolicyPage({ searchParams }: { searchParams: Search }) {
  const q = await searchParams;
  const actor = await currentActor();
  return <PolicyEditorPage mode="new" cluster={one(q.cluster)} kind={one(q.kind)} namespace={one(q.namespace)} canAuthor={actor?.roles.includes("author") ?? false} />;
}
