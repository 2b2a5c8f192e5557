"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { api } from "../api";
import { Alert } from "../ui/alert";
import { Card, PageHeader, Stat } from "../ui/card";
import { EmptyState, Loading } from "../ui/empty";
import { dashboardKeys } from "./keys";

interface Dashboard {
  clusters: Array<{ id: string; name: string; displayName: string; namespaces: number; pods: number }>;
  totals: { clusters: number; namespaces: number; pods: number; users: number; activeUsers: number; auditEvents: number };
  lastAudit: { at: string; action: string; actor: string } | null;
}

const nf = new Intl.NumberFormat("en-US");

export function DashboardView() {
  const q = useQuery({ queryKey: dashboardKeys.all, queryFn: () => api<Dashboard>("/api/v1/dashboard") });
  return (
    <>
      <PageHeader title="Dashboard" description="What Portcullis manages, across every registered cluster." />
      {q.isPending && <Loading />}
      {q.isError && <Alert>Could not load the dashboard: {q.error.message}</Alert>}
      {q.data && (
        <div className="flex flex-col gap-6">
          <div className="grid grid-cols-2 gap-4 md:grid-cols-3 xl:grid-cols-5" aria-label="Totals">
            <Stat label="Clusters" value={nf.format(q.data.totals.clusters)} />
            <Stat label="Namespaces" value={nf.format(q.data.totals.namespaces)} />
            <Stat label="Pods" value={nf.format(q.data.totals.pods)} />
            <Stat label="Users" value={nf.format(q.data.totals.users)} hint={`${nf.format(q.data.totals.activeUsers)} active`} />
            <Stat
              label="Audit events"
              value={nf.format(q.data.totals.auditEvents)}
              hint={q.data.lastAudit ? `last: ${q.data.lastAudit.action} by ${q.data.lastAudit.actor}` : undefined}
            />
          </div>
          <Card title="Clusters">
            {q.data.clusters.length === 0 ? (
              <EmptyState title="No clusters yet">An admin adds clusters on the Clusters page.</EmptyState>
            ) : (
              <table className="w-full text-left text-sm">
                <thead className="text-xs uppercase text-slate-500">
                  <tr>
                    <th scope="col" className="py-2 pr-4 font-medium">Cluster</th>
                    <th scope="col" className="py-2 pr-4 text-right font-medium">Namespaces</th>
                    <th scope="col" className="py-2 text-right font-medium">Pods</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {q.data.clusters.map((c) => (
                    <tr key={c.id} data-testid={`cluster-row-${c.name}`}>
                      <td className="py-2 pr-4">
                        <Link href="/clusters" className="font-medium text-brand-700 hover:underline">
                          {c.displayName}
                        </Link>{" "}
                        <span className="font-mono text-xs text-slate-500">{c.name}</span>
                      </td>
                      <td className="py-2 pr-4 text-right tabular-nums">{nf.format(c.namespaces)}</td>
                      <td className="py-2 text-right tabular-nums">{nf.format(c.pods)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Card>
        </div>
      )}
    </>
  );
}
