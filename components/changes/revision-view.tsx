"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { api } from "../api";
import { Alert } from "../ui/alert";
import { Badge, Card, PageHeader } from "../ui/card";
import { Loading } from "../ui/empty";
import { DiffView } from "./diff-view";
import { revisionKeys } from "./keys";
import { resourceLabel, type RevisionDetail } from "./types";

export function RevisionView({ cluster, number }: { cluster: string; number: number }) {
  const q = useQuery({
    queryKey: revisionKeys.detail(cluster, number),
    queryFn: () => api<RevisionDetail>(`/api/v1/clusters/${encodeURIComponent(cluster)}/revisions/${number}`),
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <Alert>Could not load the revision: {q.error.message}</Alert>;
  const r = q.data;
  return (
    <>
      <PageHeader
        title={`Revision ${r.number} of ${r.cluster}`}
        description={
          <>
            {r.title} · published by {r.publishedBy} on {new Date(r.publishedAt).toLocaleString()}
            {r.changeRequestId && (
              <>
                {" "}from <Link className="text-brand-700 hover:underline" href={`/changes/${r.changeRequestId}`}>change request #{r.changeRequestNumber}</Link>
              </>
            )}
          </>
        }
        actions={
          <a className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium hover:bg-slate-50" href={`/api/v1/clusters/${encodeURIComponent(r.cluster)}/revisions/${r.number}/bundle`} download={`${r.cluster}-r${r.number}.bundle.json`}>
            Download signed bundle
          </a>
        }
      />
      <p className="mb-4 text-xs text-slate-500">
        {r.resourceCount} resources · bundle SHA-256 <span className="font-mono">{r.bundleSha256}</span> · signing key <span className="font-mono">{r.keyId}</span>
      </p>
      <Card title={`Changes (${r.changes.length})`}>
        <ul className="flex flex-col gap-4">
          {r.changes.map((c) => (
            <li key={`${c.kind}/${c.namespace}/${c.name}`} data-testid={`revision-change-${c.kind}-${c.name}`}>
              <div className="mb-1 flex items-center gap-2 text-sm">
                <Badge tone={c.op === "create" ? "green" : c.op === "delete" ? "red" : "blue"}>{c.op}</Badge>
                <span className="font-mono">{resourceLabel({ ...c, namespace: c.namespace || null })}</span>
                <span className="text-xs text-slate-500">v{c.fromVersion} → v{c.toVersion}</span>
              </div>
              <DiffView lines={c.diff} label={`Diff of ${resourceLabel({ ...c, namespace: c.namespace || null })}`} />
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}
