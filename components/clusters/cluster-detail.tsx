"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, qs } from "../api";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, Card, PageHeader, Stat } from "../ui/card";
import { Dialog } from "../ui/dialog";
import { EmptyState, Loading } from "../ui/empty";
import { clusterKeys } from "./clusters-list";

interface AgentRow {
  id: string;
  nodeName: string;
  version: string;
  registeredAt: string;
  lastHeartbeatAt: string | null;
  appliedRevision: number | null;
  appliedAt: string | null;
  behind: number;
  current: boolean;
  lastError: string | null;
  rules: number | null;
  sets: number | null;
  setElements: number | null;
  packets: number;
  revoked: boolean;
  stale: boolean;
}
type AgentStatus = "all" | "current" | "behind" | "error" | "stale" | "revoked";
interface AgentPage {
  total: number;
  counts: Record<AgentStatus, number>;
  items: AgentRow[];
}
interface Detail {
  name: string;
  displayName: string;
  description: string;
  namespaces: number;
  pods: number;
  publishedRevision: number;
  agentCounts: Record<AgentStatus, number>;
  bootstrapTokens: Array<{ id: string; prefix: string; oneTime: boolean; uses: number; createdAt: string; createdBy: string; expiresAt: string; usable: boolean }>;
}

const STATUS_LABEL: Record<AgentStatus, string> = {
  all: "All",
  current: "Current",
  behind: "Behind",
  error: "Reporting an error",
  stale: "Not reporting",
  revoked: "Revoked",
};
const PAGE_SIZE = 25;

/** How long before `now` (the time the data was fetched, so rendering stays pure). */
function ago(iso: string | null, now: number): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  return new Date(iso).toLocaleString();
}

export function ClusterDetail({ cluster, isAdmin }: { cluster: string; isAdmin: boolean }) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: clusterKeys.detail(cluster),
    queryFn: () => api<Detail>(`/api/v1/clusters/${encodeURIComponent(cluster)}`),
    refetchInterval: 3000,
  });
  const [installing, setInstalling] = useState(false);
  const [status, setStatus] = useState<AgentStatus>("all");
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<"node" | "heartbeat" | "revision">("node");
  const [page, setPage] = useState(1);
  const agentParams = { q: search.trim() || undefined, status: status === "all" ? undefined : status, sort, page, pageSize: PAGE_SIZE };
  const agents = useQuery({
    queryKey: [...clusterKeys.detail(cluster), "agents", agentParams],
    queryFn: () => api<AgentPage>(`/api/v1/clusters/${encodeURIComponent(cluster)}/agents${qs(agentParams)}`),
    refetchInterval: 3000,
    placeholderData: keepPreviousData,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api/v1/agents/${id}/revoke`, { method: "POST", body: {} }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: clusterKeys.detail(cluster) }),
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <Alert>Could not load the cluster: {q.error.message}</Alert>;
  const d = q.data;
  const now = agents.dataUpdatedAt || q.dataUpdatedAt;
  const c = d.agentCounts;
  const active = c.all - c.revoked;
  const pages = agents.data ? Math.max(1, Math.ceil(agents.data.total / PAGE_SIZE)) : 1;
  return (
    <>
      <PageHeader
        title={d.displayName}
        description={d.description || `Cluster ${d.name}`}
        actions={isAdmin ? <Button onClick={() => setInstalling(true)}>Install agents</Button> : undefined}
      />
      <div className="mb-6 grid grid-cols-2 gap-4 md:grid-cols-4">
        <Stat label="Published revision" value={d.publishedRevision || "none"} />
        <Stat label="Agents current" value={`${c.current} / ${active}`} hint={`${active - c.stale} reported in the last 2 minutes`} />
        <Stat label="Namespaces" value={d.namespaces} />
        <Stat label="Pods" value={d.pods} />
      </div>
      <Card title="Agents">
        {c.all > 0 && (
          <div className="mb-3 flex flex-wrap items-end gap-3" role="search" aria-label="Filter agents">
            <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
              Node
              <input className="rounded-md border border-slate-300 px-2 py-1.5 text-sm" value={search} placeholder="node name contains…" onChange={(e) => { setSearch(e.target.value); setPage(1); }} />
            </label>
            <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
              Status
              <select className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm" value={status} onChange={(e) => { setStatus(e.target.value as AgentStatus); setPage(1); }}>
                {(Object.keys(STATUS_LABEL) as AgentStatus[]).map((k) => <option key={k} value={k}>{STATUS_LABEL[k]} ({c[k]})</option>)}
              </select>
            </label>
            <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
              Sort by
              <select className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm" value={sort} onChange={(e) => { setSort(e.target.value as typeof sort); setPage(1); }}>
                <option value="node">Node name</option>
                <option value="heartbeat">Last heartbeat (latest first)</option>
                <option value="revision">Revision applied (oldest first)</option>
              </select>
            </label>
          </div>
        )}
        {agents.isError && <Alert>Could not load agents: {agents.error.message}</Alert>}
        {c.all === 0 ? (
          <EmptyState title="No agents have registered yet">{isAdmin ? "Use “Install agents” to create a bootstrap token and the manifests to apply." : "An admin installs them."}</EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm" aria-label="Agents">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th scope="col" className="py-2 pr-3 font-medium">Node</th>
                  <th scope="col" className="py-2 pr-3 font-medium">Revision</th>
                  <th scope="col" className="py-2 pr-3 font-medium">Last heartbeat</th>
                  <th scope="col" className="py-2 pr-3 font-medium">Rules / sets</th>
                  <th scope="col" className="py-2 pr-3 text-right font-medium">Packets matched</th>
                  <th scope="col" className="py-2 pr-3 font-medium">Last error</th>
                  {isAdmin && <th scope="col" className="py-2 font-medium"><span className="sr-only">Actions</span></th>}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {agents.data?.items.length === 0 && (
                  <tr><td colSpan={isAdmin ? 7 : 6} className="py-4 text-center text-slate-500">No agent matches these filters.</td></tr>
                )}
                {agents.data?.items.map((a) => (
                  <tr key={a.id} data-testid={`agent-row-${a.nodeName}`}>
                    <td className="py-2 pr-3">
                      <span className="font-mono">{a.nodeName}</span>
                      <span className="block text-xs text-slate-500">v{a.version || "?"}</span>
                    </td>
                    <td className="py-2 pr-3" data-testid={`agent-revision-${a.nodeName}`}>
                      {a.revoked ? (
                        <Badge tone="red">revoked</Badge>
                      ) : a.current ? (
                        <Badge tone="green">current · r{a.appliedRevision ?? 0}</Badge>
                      ) : (
                        <Badge tone="amber">
                          r{a.appliedRevision ?? "–"} · {a.behind} behind
                        </Badge>
                      )}
                    </td>
                    <td className="py-2 pr-3">{ago(a.lastHeartbeatAt, now)}{a.stale && <span className="block text-xs text-amber-700">not reporting</span>}</td>
                    <td className="py-2 pr-3 tabular-nums">
                      {a.rules ?? "–"} / {a.sets ?? "–"}
                      {a.setElements !== null && <span className="block text-xs text-slate-500">{a.setElements} set elements</span>}
                    </td>
                    <td className="py-2 pr-3 text-right tabular-nums">{a.packets.toLocaleString()}</td>
                    <td className="max-w-xs py-2 pr-3 text-xs text-red-700">{a.lastError ?? <span className="text-slate-400">none</span>}</td>
                    {isAdmin && (
                      <td className="py-2 text-right">
                        {!a.revoked && (
                          <Button size="sm" variant="danger" onClick={() => revoke.mutate(a.id)} aria-label={`Revoke agent ${a.nodeName}`}>
                            Revoke
                          </Button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
            {agents.data && (
              <div className="mt-3 flex items-center justify-between text-sm text-slate-600">
                <span>{agents.data.total} agent{agents.data.total === 1 ? "" : "s"} · page {page} of {pages}</span>
                <span className="flex gap-2">
                  <Button size="sm" variant="secondary" disabled={page <= 1} onClick={() => setPage((x) => x - 1)}>Previous</Button>
                  <Button size="sm" variant="secondary" disabled={page >= pages} onClick={() => setPage((x) => x + 1)}>Next</Button>
                </span>
              </div>
            )}
          </div>
        )}
      </Card>
      {isAdmin && d.bootstrapTokens.length > 0 && (
        <Card title="Bootstrap tokens" className="mt-6">
          <ul className="divide-y divide-slate-100 text-sm">
            {d.bootstrapTokens.map((t) => (
              <li key={t.id} className="flex items-center justify-between py-2">
                <span>
                  <span className="font-mono">{t.prefix}…</span> · {t.oneTime ? "one-time" : "reusable"} · used {t.uses}× · by {t.createdBy}
                </span>
                {t.usable ? <Badge tone="green">usable until {new Date(t.expiresAt).toLocaleString()}</Badge> : <Badge>spent or expired</Badge>}
              </li>
            ))}
          </ul>
        </Card>
      )}
      {installing && <InstallDialog cluster={d.name} onClose={() => setInstalling(false)} />}
    </>
  );
}

function InstallDialog({ cluster, onClose }: { cluster: string; onClose: () => void }) {
  const qc = useQueryClient();
  const [oneTime, setOneTime] = useState(false);
  const [hours, setHours] = useState(24);
  const create = useMutation({
    mutationFn: () => api<{ token: string; manifest: string; expiresAt: string }>(`/api/v1/clusters/${encodeURIComponent(cluster)}/bootstrap-tokens`, { body: { oneTime, expiresInHours: hours } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: clusterKeys.detail(cluster) }),
  });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title="Install agents" description="Agents exchange the bootstrap token for their own credential when they first start; the token is shown only once.">
      {create.data ? (
        <div className="flex flex-col gap-3 text-sm">
          <p>
            Save this as <code>portcullis-agent.yaml</code> and run <code className="rounded bg-slate-100 px-1">kubectl apply -f portcullis-agent.yaml</code>. The token expires{" "}
            {new Date(create.data.expiresAt).toLocaleString()}.
          </p>
          <pre data-testid="install-manifest" className="max-h-80 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100">{create.data.manifest}</pre>
          <div className="flex justify-end">
            <Button onClick={onClose}>Done</Button>
          </div>
        </div>
      ) : (
        <form className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
          {create.error && <Alert>{create.error.message}</Alert>}
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={oneTime} onChange={(e) => setOneTime(e.target.checked)} />
            One-time token (registers a single node; leave unchecked for a DaemonSet across all nodes)
          </label>
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
            Valid for
            <select className="rounded-md border border-slate-300 bg-white px-2 py-2 text-sm" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
              <option value={1}>1 hour</option>
              <option value={24}>24 hours</option>
              <option value={168}>7 days</option>
            </select>
          </label>
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={onClose}>Cancel</Button>
            <Button type="submit" disabled={create.isPending}>Create token and manifests</Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
