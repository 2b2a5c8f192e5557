"use client";

import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { DiffLine } from "@/server/policy/line-diff";
import { api, qs } from "../api";
import { DiffView } from "../changes/diff-view";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, PageHeader } from "../ui/card";
import { Dialog } from "../ui/dialog";
import { EmptyState, Loading } from "../ui/empty";
import { Field } from "../ui/field";
import { auditKeys } from "./keys";

interface AuditRow {
  seq: string;
  at: string;
  actorType: string;
  actorName: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  sourceIp: string | null;
  requestId: string | null;
  hasDiff: boolean;
  hash: string;
}
interface AuditDetail extends AuditRow {
  actorId: string | null;
  userAgent: string | null;
  before: unknown;
  after: unknown;
  details: unknown;
  prevHash: string;
  diff: DiffLine[];
}
interface ChainReport {
  ok: boolean;
  rowsChecked: number;
  lastSeq: string | null;
  lastHash: string | null;
  firstBroken?: { seq: string; reason: string };
}

const selectClass = "rounded-md border border-slate-300 bg-white px-2 py-2 text-sm";
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function AuditLog() {
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const [target, setTarget] = useState("");
  const [outcome, setOutcome] = useState("");
  const [q, setQ] = useState("");
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [open, setOpen] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1]!;
  const filters = { from: toIso(from), to: toIso(to), actor: actor || undefined, action: action || undefined, target: target || undefined, outcome: outcome || undefined, q: q || undefined };
  const reset = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setCursors([null]);
  };
  const list = useQuery({
    queryKey: auditKeys.list(filters, cursor),
    queryFn: () => api<{ items: AuditRow[]; nextCursor: string | null }>(`/api/v1/audit${qs({ ...filters, before: cursor ?? undefined, limit: 50 })}`),
    placeholderData: keepPreviousData,
  });
  const verify = useMutation({ mutationFn: () => api<ChainReport>("/api/v1/audit/verify", { method: "POST", body: {} }) });
  const exportHref = (format: "ndjson" | "csv") => `/api/v1/audit/export${qs({ ...filters, format })}`;

  return (
    <>
      <PageHeader
        title="Audit"
        description="The tamper-evident record of every action: each row carries the hash of its content and of the row before it; the database refuses to change or delete rows."
        actions={
          <>
            <Button variant="secondary" onClick={() => verify.mutate()} disabled={verify.isPending}>Verify chain</Button>
            <a className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium hover:bg-slate-50" href={exportHref("ndjson")} download data-testid="export-ndjson">
              Export NDJSON
            </a>
            <a className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium hover:bg-slate-50" href={exportHref("csv")} download data-testid="export-csv">
              Export CSV
            </a>
          </>
        }
      />
      {verify.data && (
        <Alert tone={verify.data.ok ? "success" : "error"} className="mb-4">
          <span data-testid="verify-result">
            {verify.data.ok
              ? `Chain intact: ${verify.data.rowsChecked} rows verified, last row ${verify.data.lastSeq ?? "-"}.`
              : `Chain broken at row ${verify.data.firstBroken?.seq}: ${verify.data.firstBroken?.reason}.`}
          </span>
        </Alert>
      )}
      {verify.error && <Alert className="mb-4">{verify.error.message}</Alert>}
      <div className="mb-4 flex flex-wrap items-end gap-3" role="search">
        <Field label="From" type="datetime-local" value={from} onChange={(e) => reset(setFrom)(e.target.value)} />
        <Field label="To" type="datetime-local" value={to} onChange={(e) => reset(setTo)(e.target.value)} />
        <Field label="Actor" value={actor} onChange={(e) => reset(setActor)(e.target.value)} className="w-40" />
        <Field label="Action" placeholder="change.publish or change." value={action} onChange={(e) => reset(setAction)(e.target.value)} className="w-48" />
        <Field label="Target" placeholder="id or type:id" value={target} onChange={(e) => reset(setTarget)(e.target.value)} className="w-48" />
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          Outcome
          <select aria-label="Outcome" className={selectClass} value={outcome} onChange={(e) => reset(setOutcome)(e.target.value)}>
            <option value="">Any outcome</option>
            <option value="success">success</option>
            <option value="failure">failure</option>
            <option value="denied">denied</option>
          </select>
        </label>
        <Field label="Text" value={q} onChange={(e) => reset(setQ)(e.target.value)} className="w-48" />
      </div>
      {list.isPending && <Loading />}
      {list.isError && <Alert>Could not load the audit log: {list.error.message}</Alert>}
      {list.data && list.data.items.length === 0 && <EmptyState title="No audit rows match these filters" />}
      {list.data && list.data.items.length > 0 && (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-left text-sm" aria-label="Audit rows">
            <thead className="bg-slate-50 text-xs uppercase text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2">#</th>
                <th scope="col" className="px-3 py-2">Time</th>
                <th scope="col" className="px-3 py-2">Actor</th>
                <th scope="col" className="px-3 py-2">Action</th>
                <th scope="col" className="px-3 py-2">Target</th>
                <th scope="col" className="px-3 py-2">Outcome</th>
                <th scope="col" className="px-3 py-2"><span className="sr-only">Open</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {list.data.items.map((r) => (
                <tr key={r.seq} data-testid={`audit-row-${r.seq}`}>
                  <td className="px-3 py-2 tabular-nums text-slate-500">{r.seq}</td>
                  <td className="px-3 py-2">{new Date(r.at).toLocaleString()}</td>
                  <td className="px-3 py-2">{r.actorName}</td>
                  <td className="px-3 py-2 font-mono text-xs">{r.action}</td>
                  <td className="px-3 py-2 text-xs">{r.targetType ? `${r.targetType}:${r.targetId}` : "—"}</td>
                  <td className="px-3 py-2"><Badge tone={r.outcome === "success" ? "green" : "red"}>{r.outcome}</Badge></td>
                  <td className="px-3 py-2 text-right">
                    <Button size="sm" variant="secondary" onClick={() => setOpen(r.seq)} aria-label={`Open audit row ${r.seq}`}>Open</Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="flex items-center justify-between border-t border-slate-100 px-3 py-2 text-sm text-slate-600">
            <span>page {cursors.length}</span>
            <span className="flex gap-2">
              <Button size="sm" variant="secondary" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>Newer</Button>
              <Button size="sm" variant="secondary" disabled={!list.data.nextCursor} onClick={() => setCursors((c) => [...c, list.data.nextCursor])}>Older</Button>
            </span>
          </div>
        </div>
      )}
      {open && <AuditRowDialog seq={open} onClose={() => setOpen(null)} />}
    </>
  );
}

function AuditRowDialog({ seq, onClose }: { seq: string; onClose: () => void }) {
  const row = useQuery({ queryKey: auditKeys.row(seq), queryFn: () => api<AuditDetail>(`/api/v1/audit/${seq}`) });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={`Audit row ${seq}`}>
      {row.isPending && <Loading />}
      {row.isError && <Alert>{row.error.message}</Alert>}
      {row.data && (
        <div className="flex max-h-[70vh] flex-col gap-3 overflow-auto text-sm">
          <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-1">
            <dt className="text-slate-500">Action</dt><dd className="font-mono">{row.data.action}</dd>
            <dt className="text-slate-500">Actor</dt><dd>{row.data.actorName} ({row.data.actorType})</dd>
            <dt className="text-slate-500">Time</dt><dd>{new Date(row.data.at).toLocaleString()}</dd>
            <dt className="text-slate-500">Target</dt><dd>{row.data.targetType ? `${row.data.targetType}:${row.data.targetId}` : "—"}</dd>
            <dt className="text-slate-500">Outcome</dt><dd>{row.data.outcome}</dd>
            <dt className="text-slate-500">Source</dt><dd>{row.data.sourceIp ?? "—"} · request {row.data.requestId ?? "—"}</dd>
            <dt className="text-slate-500">Hash</dt><dd className="break-all font-mono text-xs">{row.data.hash}</dd>
          </dl>
          <h3 className="font-medium">Before → after</h3>
          <DiffView lines={row.data.diff} label={`Before and after of audit row ${seq}`} />
          {row.data.details !== null && (
            <>
              <h3 className="font-medium">Details</h3>
              <pre className="overflow-auto rounded-md bg-slate-50 p-2 text-xs">{JSON.stringify(row.data.details, null, 2)}</pre>
            </>
          )}
        </div>
      )}
    </Dialog>
  );
}
