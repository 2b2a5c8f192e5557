import type { Metadata } from "next";
import { PolicyEditorPage } from "@/components/policies/editor/policy-editor-page";
import { Alert } from "@/components/ui/alert";
import { PageHeader } from "@/components/ui/card";
import { currentActor } from "@/server/auth/current";

export const metadata: Metadata = { title: "Edit policy" };

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** `/policies/edit?cluster=&kind=&namespace=&name=` */
export default async function EditPolicyPage({ searchParams }: { searchParams: Search }) {
  const q = await searchParams;
  const actor = await currentActor();
  const cluster = one(q.cluster);
  const kind = one(q.kind);
  const name = one(q.name);
  if (!cluster || !kind || !name) {
    return (
      <>
        <PageHeader title="Edit policy" />
        <Alert>Open a policy to edit from the policy board: this page needs the cluster, kind and name of a policy (and its namespace for a NetworkPolicy).</Alert>
      </>
    );
  }
  return <PolicyEditorPage mode="edit" cluster={cluster} kind={kind} namespace={one(q.namespace)} name={name} canAuthor={actor?.roles.includes("author") ?? false} />;
}
