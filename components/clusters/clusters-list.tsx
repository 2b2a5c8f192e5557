"use client";

import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { Alert } from "../ui/alert";
import { Card, PageHeader } from "../ui/card";
import { EmptyState, Loading } from "../ui/empty";

export const clusterKeys = { all: ["clusters"] as const, list: () => [...clusterKeys.all, "list"] as const };

interface ClusterRow {
  id: string;
  name: string;
  displayName: string;
  description: string;
  createdAt: string;
  namespaces: number;
  pods: number;
}

export function ClustersList() {
  const q = useQuery({ queryKey: clusterKeys.list(), queryFn: () => api<{ items: ClusterRow[] }>("/api/v1/clusters") });
  const key = useQuery({
    queryKey: [...clusterKeys.all, "signing-key"],
    queryFn: () => api<{ algorithm: string; publicKey: string; keyId: string }>("/api/v1/signing-key"),
  });
  return (
    <>
      <PageHeader title="Clusters" description="The Kubernetes clusters this console manages and the inventory their agents report." />
      {key.data && (
        <Card title="Bundle signing key" className="mb-6">
          <p className="text-sm text-slate-600">
            Agents verify every policy bundle against this Ed25519 public key. Give it to the agent at installation (key id{" "}
            <span className="font-mono">{key.data.keyId}</span>).
          </p>
          <pre className="mt-2 overflow-x-auto rounded-md bg-slate-50 p-2 font-mono text-xs" data-testid="signing-public-key">{key.data.publicKey}</pre>
        </Card>
      )}
      {q.isPending && <Loading />}
      {q.isError && <Alert>Could not load clusters: {q.error.message}</Alert>}
      {q.data && q.data.items.length === 0 && <EmptyState title="No clusters yet" />}
      {q.data && q.data.items.length > 0 && (
        <div className="grid gap-4 md:grid-cols-2">
          {q.data.items.map((c) => (
            <Card key={c.id} title={c.displayName}>
              <dl className="grid grid-cols-2 gap-2 text-sm">
                <dt className="text-slate-500">Name</dt>
                <dd className="font-mono">{c.name}</dd>
                <dt className="text-slate-500">Namespaces</dt>
                <dd className="tabular-nums">{c.namespaces}</dd>
                <dt className="text-slate-500">Pods</dt>
                <dd className="tabular-nums">{c.pods}</dd>
                <dt className="text-slate-500">Added</dt>
                <dd>{new Date(c.createdAt).toLocaleString()}</dd>
              </dl>
              {c.description && <p className="mt-3 text-sm text-slate-600">{c.description}</p>}
            </Card>
          ))}
        </div>
      )}
    </>
  );
}
