"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { api, ApiError } from "../api";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, Card, PageHeader } from "../ui/card";
import { Dialog } from "../ui/dialog";
import { Loading } from "../ui/empty";
import { DiffView } from "./diff-view";
import { changeKeys, revisionKeys } from "./keys";
import { resourceLabel, STATE_TONE, type ChangeDetail, type Impact } from "./types";

type Action = "submit" | "withdraw" | "publish" | "rebase";

export function ChangeRequestView({ id }: { id: string }) {
  const qc = useQueryClient();
  const detail = useQuery({ queryKey: changeKeys.detail(id), queryFn: () => api<ChangeDetail>(`/api/v1/changes/${id}`) });
  const invalidate = () => {
    void qc.invalidateQueries({ queryKey: changeKeys.detail(id) });
    void qc.invalidateQueries({ queryKey: changeKeys.impact(id) });
    void qc.invalidateQueries({ queryKey: [...changeKeys.all, "list"] });
    void qc.invalidateQueries({ queryKey: revisionKeys.all });
  };
  const action = useMutation({
    mutationFn: (a: Action) => api<unknown>(`/api/v1/changes/${id}/${a}`, { method: "POST", body: {} }),
    onSettled: invalidate,
  });
  const [reviewing, setReviewing] = useState<"approve" | "reject" | null>(null);

  if (detail.isPending) return <Loading />;
  if (detail.isError) return <Alert>Could not load the change request: {detail.error.message}</Alert>;
  const cr = detail.data;
  const actionError = action.error instanceof ApiError ? action.error : null;

  return (
    <>
      <PageHeader
        title={`#${cr.number} ${cr.title}`}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <Badge tone={STATE_TONE[cr.state]}>
              <span data-testid="change-state">{cr.state}</span>
            </Badge>
            <span>
              cluster <span className="font-mono">{cr.cluster}</span> · by {cr.authorName} · based on revision {cr.baseRevision}
              {cr.rollbackOf !== null && <> · rollback to revision {cr.rollbackOf}</>}
              {cr.publishedRevision !== null && (
                <>
                  {" "}· published as{" "}
                  <Link className="text-brand-700 hover:underline" href={`/changes/revisions/${encodeURIComponent(cr.cluster)}/${cr.publishedRevision}`}>
                    revision {cr.publishedRevision}
                  </Link>
                </>
              )}
            </span>
          </span>
        }
        actions={
          <div className="flex flex-wrap gap-2" aria-label="Actions">
            {cr.allowed.submit && <Button onClick={() => action.mutate("submit")} disabled={action.isPending}>Submit for review</Button>}
            {cr.allowed.approve && <Button onClick={() => setReviewing("approve")}>Approve</Button>}
            {cr.allowed.reject && <Button variant="danger" onClick={() => setReviewing("reject")}>Reject</Button>}
            {cr.allowed.publish && <Button onClick={() => action.mutate("publish")} disabled={action.isPending}>Publish</Button>}
            {cr.allowed.rebase && <Button onClick={() => action.mutate("rebase")} disabled={action.isPending}>Rebase</Button>}
            {cr.allowed.withdraw && <Button variant="secondary" onClick={() => action.mutate("withdraw")} disabled={action.isPending}>Withdraw</Button>}
          </div>
        }
      />
      {actionError && (
        <Alert className="mb-4">
          {actionError.message}
          {actionError.errors.length > 0 && (
            <ul className="mt-1 list-disc pl-5">
              {actionError.errors.map((e, i) => <li key={i}><code>{e.path}</code>: {e.message}</li>)}
            </ul>
          )}
        </Alert>
      )}
      {cr.state === "conflicted" && cr.conflicts && (
        <Alert tone="warning" className="mb-4">
          Another revision changed {cr.conflicts.map((c) => resourceLabel({ ...c, namespace: c.namespace || null })).join(", ")} after this request was based on it. Rebase to base the changes on the current revision; the request then needs review again.
        </Alert>
      )}
      {cr.description && <p className="mb-4 whitespace-pre-wrap text-sm text-slate-700">{cr.description}</p>}
      <div className="grid gap-6 xl:grid-cols-3">
        <div className="flex flex-col gap-6 xl:col-span-2">
          <Card title={`Changes (${cr.items.length})`}>
            <ul className="flex flex-col gap-4">
              {cr.items.map((i) => (
                <li key={i.id} data-testid={`change-item-${i.kind}-${i.name}`}>
                  <div className="mb-1 flex flex-wrap items-center gap-2 text-sm">
                    <Badge tone={i.op === "create" ? "green" : i.op === "delete" ? "red" : "blue"}>{i.op}</Badge>
                    <span className="font-mono">{resourceLabel({ ...i, namespace: i.namespace || null })}</span>
                    <span className="text-xs text-slate-500">based on v{i.baseVersion} · +{i.added} −{i.removed}</span>
                    {i.stale && <Badge tone="amber">base moved (now v{i.currentVersion})</Badge>}
                    {cr.allowed.edit && <RemoveItem changeId={cr.id} itemId={i.id} label={resourceLabel({ ...i, namespace: i.namespace || null })} onDone={invalidate} />}
                  </div>
                  <DiffView lines={i.diff} label={`Diff of ${resourceLabel({ ...i, namespace: i.namespace || null })}`} />
                </li>
              ))}
            </ul>
            {cr.allowed.edit && <AddYaml id={cr.id} onDone={invalidate} />}
          </Card>
          <ImpactCard id={cr.id} />
        </div>
        <div className="flex flex-col gap-6">
          <Card title="Approvals">
            <p className="text-sm" data-testid="approvals-summary">
              {cr.approvalsCount} of {cr.approvalsRequired} approval{cr.approvalsRequired === 1 ? "" : "s"}
              {cr.tiers.length > 0 && <span className="text-slate-500"> · tiers: {cr.tiers.join(", ")}</span>}
            </p>
            <ul className="mt-2 flex flex-col gap-2 text-sm">
              {cr.approvals.map((a) => (
                <li key={a.id} className={a.current ? "" : "text-slate-400"}>
                  <Badge tone={a.decision === "approve" ? "green" : "red"}>{a.decision === "approve" ? "approved" : "rejected"}</Badge> {a.userName}
                  {!a.current && " (earlier version)"}
                  {a.comment && <span className="block text-slate-600">“{a.comment}”</span>}
                </li>
              ))}
            </ul>
          </Card>
          <Comments cr={cr} onDone={invalidate} />
        </div>
      </div>
      {reviewing && <ReviewDialog id={cr.id} decision={reviewing} onClose={() => setReviewing(null)} onDone={invalidate} />}
    </>
  );
}

function RemoveItem({ changeId, itemId, label, onDone }: { changeId: string; itemId: string; label: string; onDone: () => void }) {
  const remove = useMutation({ mutationFn: () => api(`/api/v1/changes/${changeId}/items/${itemId}`, { method: "DELETE" }), onSettled: onDone });
  return (
    <Button size="sm" variant="ghost" onClick={() => remove.mutate()} disabled={remove.isPending} aria-label={`Remove change to ${label}`}>
      Remove
    </Button>
  );
}

function AddYaml({ id, onDone }: { id: string; onDone: () => void }) {
  const [yaml, setYaml] = useState("");
  const add = useMutation({
    mutationFn: () => api(`/api/v1/changes/${id}/yaml`, { body: { yaml } }),
    onSuccess: () => setYaml(""),
    onSettled: onDone,
  });
  const err = add.error instanceof ApiError ? add.error : null;
  return (
    <form className="mt-4 flex flex-col gap-2 border-t border-slate-100 pt-4" onSubmit={(e) => { e.preventDefault(); add.mutate(); }}>
      <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
        Add or replace resources (YAML)
        <textarea aria-label="Add resources (YAML)" rows={6} spellCheck={false} value={yaml} onChange={(e) => setYaml(e.target.value)} className="rounded-md border border-slate-300 px-3 py-2 font-mono text-xs" />
      </label>
      {err && (
        <Alert>
          {err.message}
        </Alert>
      )}
      <div><Button type="submit" size="sm" disabled={!yaml.trim() || add.isPending}>Add to request</Button></div>
    </form>
  );
}

function ImpactCard({ id }: { id: string }) {
  const impact = useQuery({ queryKey: changeKeys.impact(id), queryFn: () => api<Impact>(`/api/v1/changes/${id}/impact`) });
  return (
    <Card title="Impact">
      {impact.isPending && <Loading label="Computing impact…" />}
      {impact.isError && <Alert>Could not compute the impact: {impact.error.message}</Alert>}
      {impact.data && (
        <div className="flex flex-col gap-4 text-sm" data-testid="impact">
          {impact.data.policies.length === 0 && <p className="text-slate-600">No policy changes: pod selection is unchanged.</p>}
          {impact.data.policies.map((p) => (
            <div key={`${p.kind}/${p.namespace}/${p.name}`}>
              <p className="font-mono">{resourceLabel(p)}</p>
              <p className="text-slate-600">
                selects {p.selectedBefore} → {p.selectedAfter} of {impact.data.inventory.pods} pods · newly selected{" "}
                <strong>{p.newlySelected.count}</strong> · no longer selected <strong>{p.noLongerSelected.count}</strong>
              </p>
              {p.newlySelected.pods.length > 0 && <p className="truncate text-xs text-slate-500">+ {p.newlySelected.pods.join(", ")}</p>}
              {p.noLongerSelected.pods.length > 0 && <p className="truncate text-xs text-slate-500">− {p.noLongerSelected.pods.join(", ")}</p>}
            </div>
          ))}
          <div>
            <p>
              Sampled flows changing verdict: <strong>{impact.data.flows.allowToDeny}</strong> Allow → Deny, <strong>{impact.data.flows.denyToAllow}</strong> Deny → Allow
            </p>
            <p className="text-xs text-slate-500">{impact.data.flows.sample.note}</p>
            {impact.data.flows.changes.length > 0 && (
              <table className="mt-2 w-full text-left text-xs" aria-label="Flows that change verdict">
                <thead className="text-slate-500">
                  <tr><th scope="col">Source</th><th scope="col">Destination</th><th scope="col">Port</th><th scope="col">Verdict</th></tr>
                </thead>
                <tbody>
                  {impact.data.flows.changes.slice(0, 50).map((f, i) => (
                    <tr key={i}>
                      <td className="font-mono">{f.source}</td>
                      <td className="font-mono">{f.destination}</td>
                      <td className="tabular-nums">{f.port}</td>
                      <td>{f.before} → <strong className={f.after === "Deny" ? "text-red-700" : "text-emerald-700"}>{f.after}</strong></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </div>
      )}
    </Card>
  );
}

function Comments({ cr, onDone }: { cr: ChangeDetail; onDone: () => void }) {
  const [body, setBody] = useState("");
  const post = useMutation({
    mutationFn: () => api(`/api/v1/changes/${cr.id}/comments`, { body: { body } }),
    onSuccess: () => setBody(""),
    onSettled: onDone,
  });
  return (
    <Card title={`Comments (${cr.comments.length})`}>
      <ol className="flex flex-col gap-3 text-sm" aria-label="Comments">
        {cr.comments.map((c) => (
          <li key={c.id}>
            <span className="font-medium">{c.authorName}</span> <span className="text-xs text-slate-500">{new Date(c.createdAt).toLocaleString()}</span>
            <p className="whitespace-pre-wrap text-slate-700">{c.body}</p>
          </li>
        ))}
      </ol>
      {cr.allowed.comment && (
        <form className="mt-3 flex flex-col gap-2" onSubmit={(e) => { e.preventDefault(); post.mutate(); }}>
          <textarea aria-label="Comment" rows={3} value={body} onChange={(e) => setBody(e.target.value)} className="rounded-md border border-slate-300 px-3 py-2 text-sm" />
          {post.error && <Alert>{post.error.message}</Alert>}
          <div><Button type="submit" size="sm" disabled={!body.trim() || post.isPending}>Comment</Button></div>
        </form>
      )}
    </Card>
  );
}

function ReviewDialog({ id, decision, onClose, onDone }: { id: string; decision: "approve" | "reject"; onClose: () => void; onDone: () => void }) {
  const [comment, setComment] = useState("");
  const review = useMutation({
    mutationFn: () => api(`/api/v1/changes/${id}/review`, { body: { decision, comment: comment || undefined } }),
    onSuccess: () => onClose(),
    onSettled: onDone,
  });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={decision === "approve" ? "Approve change request" : "Reject change request"} description="Your comment is added to the request's thread.">
      <form className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); review.mutate(); }}>
        {review.error && <Alert>{review.error.message}</Alert>}
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          Comment
          <textarea aria-label="Review comment" rows={4} value={comment} onChange={(e) => setComment(e.target.value)} className="rounded-md border border-slate-300 px-3 py-2 text-sm" />
        </label>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" variant={decision === "approve" ? "primary" : "danger"} disabled={review.isPending}>
            {decision === "approve" ? "Approve" : "Reject"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
