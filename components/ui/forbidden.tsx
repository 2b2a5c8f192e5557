import { PageHeader } from "./card";

export function Forbidden({ title, role }: { title: string; role: string }) {
  return (
    <>
      <PageHeader title={title} />
      <div role="alert" className="rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900">
        You do not have access to this page. It needs the <strong>{role}</strong> role; ask an administrator.
      </div>
    </>
  );
}
