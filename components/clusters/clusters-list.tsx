"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { api, ApiError } from "../api";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { Field } from "../ui/field";
import { Alert } from "../ui/alert";
import { Card, PageHeader } from "../ui/card";
import { EmptyState, Loading } from "../ui/empty";

export const clusterKeys = {
  all: ["clusters"] as const,
  list: () => [...clusterKeys.all, "list"] as const,
  detail: (name: string) => [...clusterKeys.all, "detail", name] as const,
};

interface ClusterRow {
  id: string;
  name: string;
  displayName: string;
  description: string;
  createdAt: string;
  namespaces: number;
  pods: number;
}

export function ClustersList({ isAdmin }: { isAdmin: boolean }) {
  const [adding, setAdding] = useState(false);
  const q = useQuery({ queryKey: clusterKeys.list(), queryFn: () => api<{ items: ClusterRow[] }>("/api/v1/clusters") });
  const key = useQuery({
    queryKey: [...clusterKeys.all, "signing-key"],
    queryFn: () => api<{ algorithm: string; publicKey: string; keyId: string }>("/api/v1/signing-key"),
  });
  return (
    <>
      <PageHeader
        title="Clusters"
        description="The Kubernetes clusters this console manages, the agents that enforce their policy, and the inventory those agents report."
        actions={isAdmin ? <Button onClick={() => setAdding(true)}>Add cluster</Button> : undefined}
      />
      {adding && <AddClusterDialog onClose={() => setAdding(false)} />}
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
            <Card
              key={c.id}
              title={
                <Link href={`/clusters/${encodeURIComponent(c.name)}`} className="text-brand-700 hover:underline">
                  {c.displayName}
                </Link>
              }
            >
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

function AddClusterDialog({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [description, setDescription] = useState("");
  const add = useMutation({
    mutationFn: () => api("/api/v1/clusters", { body: { name, displayName, description } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: clusterKeys.all });
      onClose();
    },
  });
  const err = add.error instanceof ApiError ? add.error : null;
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title="Add cluster" description="Then create a bootstrap token on the cluster's page to install its agents.">
      <form noValidate className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); add.mutate(); }}>
        {err && err.errors.length === 0 && <Alert>{err.message}</Alert>}
        <Field label="Name" hint="Used by agents and in the API, e.g. prod-eu-1" value={name} onChange={(e) => setName(e.target.value)} error={err?.fieldMessage("name")} />
        <Field label="Display name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} error={err?.fieldMessage("displayName")} />
        <Field label="Description" value={description} onChange={(e) => setDescription(e.target.value)} error={err?.fieldMessage("description")} />
        <div className="mt-2 flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" disabled={add.isPending}>Add cluster</Button>
        </div>
      </form>
    </Dialog>
  );
}
