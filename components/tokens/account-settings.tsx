"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { type z } from "zod";
import { ZChangeOwnPassword } from "@/server/policy/accounts";
import { api, ApiError } from "../api";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, Card, PageHeader } from "../ui/card";
import { EmptyState, Loading } from "../ui/empty";
import { Field } from "../ui/field";
import { tokenKeys } from "./keys";

interface Token {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export function AccountSettings() {
  return (
    <>
      <PageHeader title="Account and API tokens" />
      <div className="grid gap-6 xl:grid-cols-2">
        <ChangePassword />
        <ApiTokens />
      </div>
    </>
  );
}

type PwValues = z.infer<typeof ZChangeOwnPassword>;

function ChangePassword() {
  const form = useForm<PwValues>({ resolver: zodResolver(ZChangeOwnPassword), defaultValues: { currentPassword: "", newPassword: "" } });
  const change = useMutation({
    mutationFn: (v: PwValues) => api("/api/v1/me/password", { body: v }),
    onSuccess: () => form.reset(),
    onError: (err) => {
      if (err instanceof ApiError) for (const e of err.errors) form.setError(e.path as keyof PwValues, { message: e.message });
    },
  });
  return (
    <Card title="Password">
      <form noValidate className="flex flex-col gap-3" onSubmit={form.handleSubmit((v) => change.mutate(v))}>
        {change.isSuccess && <Alert tone="success">Password changed. Your other sessions were signed out.</Alert>}
        <Field label="Current password" type="password" autoComplete="current-password" error={form.formState.errors.currentPassword?.message} {...form.register("currentPassword")} />
        <Field label="New password" type="password" autoComplete="new-password" hint="At least 12 characters." error={form.formState.errors.newPassword?.message} {...form.register("newPassword")} />
        <div>
          <Button type="submit" disabled={change.isPending}>Change password</Button>
        </div>
      </form>
    </Card>
  );
}

function ApiTokens() {
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [days, setDays] = useState("90");
  const list = useQuery({ queryKey: tokenKeys.list(), queryFn: () => api<{ items: Token[] }>("/api/v1/tokens") });
  const create = useMutation({
    mutationFn: () => api<Token & { token: string }>("/api/v1/tokens", { body: { name, expiresInDays: days === "never" ? null : Number(days) } }),
    onSuccess: () => {
      setName("");
      void qc.invalidateQueries({ queryKey: tokenKeys.all });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api<Token>(`/api/v1/tokens/${id}`, { method: "DELETE" }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: tokenKeys.all }),
  });
  const err = create.error instanceof ApiError ? create.error : null;
  return (
    <Card title="Personal API tokens">
      <p className="mb-3 text-sm text-slate-600">
        Tokens act with your roles. Send them as <code className="rounded bg-slate-100 px-1">Authorization: Bearer &lt;token&gt;</code>.
      </p>
      <form noValidate className="mb-4 flex flex-wrap items-end gap-3" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        <Field label="Token name" value={name} onChange={(e) => setName(e.target.value)} placeholder="ci-pipeline" error={err?.fieldMessage("name")} className="w-56" />
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          Expires
          <select className="rounded-md border border-slate-300 bg-white px-2 py-2 text-sm" value={days} onChange={(e) => setDays(e.target.value)}>
            <option value="30">in 30 days</option>
            <option value="90">in 90 days</option>
            <option value="365">in a year</option>
            <option value="never">never</option>
          </select>
        </label>
        <Button type="submit" disabled={create.isPending}>Create token</Button>
      </form>
      {err && err.errors.length === 0 && <Alert className="mb-3">{err.message}</Alert>}
      {create.data && (
        <Alert tone="success" className="mb-4">
          Copy this token now; it will not be shown again:
          <code data-testid="new-token" className="mt-1 block break-all rounded bg-white px-2 py-1 font-mono text-xs">{create.data.token}</code>
        </Alert>
      )}
      {list.isPending && <Loading />}
      {list.data && list.data.items.length === 0 && <EmptyState title="No tokens yet" />}
      {list.data && list.data.items.length > 0 && (
        <ul className="divide-y divide-slate-100 text-sm">
          {list.data.items.map((t) => (
            <li key={t.id} className="flex items-center justify-between gap-3 py-2">
              <span>
                <span className="font-medium">{t.name}</span> <span className="font-mono text-xs text-slate-500">{t.prefix}…</span>
                <span className="block text-xs text-slate-500">
                  created {new Date(t.createdAt).toLocaleDateString()} · {t.lastUsedAt ? `last used ${new Date(t.lastUsedAt).toLocaleString()}` : "never used"}
                  {t.expiresAt ? ` · expires ${new Date(t.expiresAt).toLocaleDateString()}` : ""}
                </span>
              </span>
              {t.revokedAt ? (
                <Badge tone="red">revoked</Badge>
              ) : (
                <Button size="sm" variant="danger" onClick={() => revoke.mutate(t.id)} aria-label={`Revoke token ${t.name}`}>Revoke</Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
