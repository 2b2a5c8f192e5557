import type { ReactNode } from "react";
import { PageHeader } from "./card";

/** A section of the console whose feature this version does not include yet: says so plainly. */
export function NotAvailable({ title, description, planned }: { title: string; description: string; planned: ReactNode[] }) {
  return (
    <>
      <PageHeader title={title} description={description} />
      <div className="rounded-lg border border-dashed border-slate-300 bg-white p-6">
        <p className="text-sm font-medium text-slate-800">Not available in this version.</p>
        <p className="mt-1 text-sm text-slate-600">This page will offer:</p>
        <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-600">
          {planned.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      </div>
    </>
  );
}
