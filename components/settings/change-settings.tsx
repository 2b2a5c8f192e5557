"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { WEBHOOK_EVENTS, ZCreateWebhook, type TApprovalSettings, type TWebhookEvent } from "@/server/policy/changes";
import { api, ApiError } from "../api";
import { settingsKeys } from "../changes/keys";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, Card, PageHeader } from "../ui/card";
import { Field } from "../ui/field";
import { Loading } from "../ui/empty";

interface WebhookRow {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  delivered: number;
  pending: number;
  failed: number;
}
interface Delivery {
  id: string;
  webhookId: string;
  event: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
}

export function ChangeSettings() {
  return (
    <>
      <PageHeader title="Review and notifications" description="How many approvals a change request needs before it can be published, and who is told when requests move." />
      <div className="flex flex-col gap-6">
        <ApprovalSettingsCard />
        <WebhooksCard />
      </div>
    </>
  );
}

function ApprovalSettingsCard() {
  const qc = useQueryClient();
  const settings = useQuery({ queryKey: settingsKeys.all, queryFn: () => api<{ approvals: TApprovalSettings }>("/api/v1/settings") });
  if (settings.isPending) return <Loading />;
  if (settings.isError) return <Alert>Could not load settings: {settings.error.message}</Alert>;
  return <ApprovalForm initial={settings.data.approvals} onSaved={() => void qc.invalidateQueries({ queryKey: settingsKeys.all })} />;
}

function ApprovalForm({ initial, onSaved }: { initial: TApprovalSettings; onSaved: () => void }) {
  const [required, setRequired] = useState(String(initial.requiredApprovals));
  const [overrides, setOverrides] = useState(Object.entries(initial.tierOverrides).map(([t, n]) => `${t}=${n}`).join("\n"));
  const [autoPublish, setAutoPublish] = useState(initial.autoPublish);
  const save = useMutation({
    mutationFn: () => {
      const tierOverrides: Record<string, number> = {};
      for (const line of overrides.split("\n").map((l) => l.trim()).filter(Boolean)) {
        const [tier, n] = line.split("=").map((s) => s.trim());
        tierOverrides[tier ?? ""] = Number(n);
      }
      return api<{ approvals: TApprovalSettings }>("/api/v1/settings/approvals", { method: "PUT", body: { requiredApprovals: Number(required), tierOverrides, autoPublish } });
    },
    onSuccess: onSaved,
  });
  const err = save.error instanceof ApiError ? save.error : null;
  return (
    <Card title="Approvals">
      <form className="flex max-w-xl flex-col gap-3" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        {save.isSuccess && <Alert tone="success">Saved.</Alert>}
        {err && <Alert>{err.message}</Alert>}
        <Field label="Approvals required" type="number" min={1} max={10} value={required} onChange={(e) => setRequired(e.target.value)} error={err?.fieldMessage("requiredApprovals")} hint="The author never counts: approvals come from other people with the approver role." />
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          Per-tier overrides
          <textarea aria-label="Per-tier overrides" rows={3} value={overrides} onChange={(e) => setOverrides(e.target.value)} placeholder="security=2" className="rounded-md border border-slate-300 px-3 py-2 font-mono text-sm" />
          <span className="text-xs font-normal text-slate-500">One <code>tier=count</code> per line. A request touching several tiers needs the highest count.</span>
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={autoPublish} onChange={(e) => setAutoPublish(e.target.checked)} />
          Publish automatically once the approvals are met
        </label>
        <div><Button type="submit" disabled={save.isPending}>Save approvals</Button></div>
      </form>
    </Card>
  );
}

type HookValues = { url: string; secret: string; events: TWebhookEvent[] };

function WebhooksCard() {
  const qc = useQueryClient();
  const hooks = useQuery({ queryKey: settingsKeys.webhooks, queryFn: () => api<{ items: WebhookRow[]; deliveries: Delivery[] }>("/api/v1/webhooks"), refetchInterval: 10_000 });
  const form = useForm<HookValues>({ resolver: zodResolver(ZCreateWebhook), defaultValues: { url: "", secret: "", events: [...WEBHOOK_EVENTS] } });
  const create = useMutation({
    mutationFn: (v: HookValues) => api("/api/v1/webhooks", { body: v }),
    onSuccess: () => {
      form.reset();
      void qc.invalidateQueries({ queryKey: settingsKeys.webhooks });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/api/v1/webhooks/${id}`, { method: "DELETE" }),
    onSettled: () => void qc.invalidateQueries({ queryKey: settingsKeys.webhooks }),
  });
  const failures = hooks.data?.deliveries.filter((d) => d.lastError) ?? [];
  return (
    <Card title="Webhooks">
      <p className="mb-3 text-sm text-slate-600">
        Each event is POSTed as JSON with the header <code>x-portcullis-signature: sha256=&lt;HMAC-SHA256 of the body with the secret&gt;</code>. Failed deliveries are retried with backoff; they never hold up a publish.
      </p>
      {hooks.data && hooks.data.items.length > 0 && (
        <ul className="mb-4 flex flex-col gap-2 text-sm" aria-label="Webhooks">
          {hooks.data.items.map((h) => (
            <li key={h.id} className="flex flex-wrap items-center gap-2">
              <span className="font-mono">{h.url}</span>
              {h.events.map((e) => <Badge key={e}>{e}</Badge>)}
              <span className="text-xs text-slate-500">{h.delivered} delivered · {h.pending} pending · {h.failed} failed</span>
              <Button size="sm" variant="ghost" onClick={() => remove.mutate(h.id)} aria-label={`Delete webhook ${h.url}`}>Delete</Button>
            </li>
          ))}
        </ul>
      )}
      {failures.length > 0 && (
        <Alert tone="warning" className="mb-4">
          <span className="font-medium">Recent delivery failures</span>
          <ul className="mt-1 list-disc pl-5" data-testid="webhook-failures">
            {failures.slice(0, 10).map((d) => (
              <li key={d.id}>{d.event} · {d.status} after {d.attempts} attempt(s): {d.lastError}</li>
            ))}
          </ul>
        </Alert>
      )}
      <form noValidate className="flex max-w-xl flex-col gap-3" onSubmit={form.handleSubmit((v) => create.mutate(v))}>
        {create.error && <Alert>{create.error.message}</Alert>}
        <Field label="URL" placeholder="https://hooks.example.com/portcullis" error={form.formState.errors.url?.message} {...form.register("url")} />
        <Field label="Secret" type="password" autoComplete="off" error={form.formState.errors.secret?.message} {...form.register("secret")} hint="At least 16 characters; used to sign every body." />
        <fieldset className="flex flex-wrap gap-3 text-sm">
          <legend className="mb-1 text-sm font-medium text-slate-700">Events</legend>
          {WEBHOOK_EVENTS.map((e) => (
            <label key={e} className="flex items-center gap-1">
              <input type="checkbox" value={e} {...form.register("events")} />
              {e}
            </label>
          ))}
        </fieldset>
        <div><Button type="submit" disabled={create.isPending}>Add webhook</Button></div>
      </form>
    </Card>
  );
}
