"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useDeferredValue, useMemo, useState } from "react";
import { aggregateCidrs, parseCidrList } from "@/server/policy/cidr";
import { api, ApiError } from "../api";
import { ClusterSelect, useClusterPicker } from "../clusters/cluster-picker";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, PageHeader } from "../ui/card";
import { Dialog } from "../ui/dialog";
import { EmptyState, Loading } from "../ui/empty";
import { Field } from "../ui/field";

interface SetRow {
  kind: "NetworkSet" | "GlobalNetworkSet";
  namespace: string | null;
  name: string;
  labels: Record<string, string>;
  nets: number;
  netsPreview: string[];
  domains: string[];
  referencedBy: string[];
  revision: number | null;
}

export const networkSetKeys = { list: (cluster: string) => ["network-sets", cluster] as const };

export function NetworkSets({ canAuthor }: { canAuthor: boolean }) {
  const { clusters, cluster, setCluster } = useClusterPicker();
  const [creating, setCreating] = useState(false);
  const q = useQuery({
    queryKey: networkSetKeys.list(cluster),
    queryFn: () => api<{ items: SetRow[] }>(`/api/v1/clusters/${encodeURIComponent(cluster)}/network-sets`),
    enabled: cluster !== "",
  });
  return (
    <>
      <PageHeader
        title="Network sets"
        description="Named, labelled lists of CIDRs and domains that policy rules select by label: allow lists of partners and SaaS ranges, deny lists of threat addresses."
        actions={canAuthor ? <Button onClick={() => setCreating(true)}>New network set</Button> : undefined}
      />
      <ClusterSelect options={clusters.data?.items} value={cluster} onChange={setCluster} />
      {(clusters.isPending || q.isPending) && <Loading />}
      {q.isError && <Alert>Could not load network sets: {q.error.message}</Alert>}
      {q.data && q.data.items.length === 0 && <EmptyState title="No network sets are published for this cluster" />}
      {q.data && q.data.items.length > 0 && (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-left text-sm" aria-label="Network sets">
            <thead className="bg-slate-50 text-xs uppercase text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Set</th>
                <th scope="col" className="px-3 py-2 font-medium">Labels</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">CIDRs</th>
                <th scope="col" className="px-3 py-2 font-medium">Domains</th>
                <th scope="col" className="px-3 py-2 font-medium">Selected by</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {q.data.items.map((s) => (
                <tr key={`${s.kind}/${s.namespace}/${s.name}`} data-testid={`netset-row-${s.name}`}>
                  <td className="px-3 py-2">
                    <span className="font-mono">{s.namespace ? `${s.namespace}/` : ""}{s.name}</span> <Badge tone={s.kind === "GlobalNetworkSet" ? "blue" : "slate"}>{s.kind === "GlobalNetworkSet" ? "global" : "namespaced"}</Badge>
                    {s.revision !== null && <span className="block text-xs text-slate-500">changed in revision {s.revision}</span>}
                  </td>
                  <td className="px-3 py-2">
                    <span className="flex flex-wrap gap-1">{Object.entries(s.labels).map(([k, v]) => <Badge key={k}>{k}={v}</Badge>)}</span>
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">
                    {s.nets.toLocaleString()}
                    {s.netsPreview.length > 0 && <span className="block font-mono text-xs text-slate-500">{s.netsPreview.slice(0, 2).join(", ")}{s.nets > 2 ? ", …" : ""}</span>}
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">{s.domains.join(", ") || <span className="font-sans text-slate-400">none</span>}</td>
                  <td className="px-3 py-2 text-xs">{s.referencedBy.join(", ") || <span className="text-slate-400">no policy rule selects it</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating && cluster && <NewSetDialog cluster={cluster} existing={q.data?.items ?? []} onClose={() => setCreating(false)} />}
    </>
  );
}

function parseLabels(text: string): { labels: Record<string, string>; error?: string } {
  const labels: Record<string, string> = {};
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) return { labels, error: `"${part}" is not key=value` };
    labels[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return { labels };
}

function NewSetDialog({ cluster, existing, onClose }: { cluster: string; existing: SetRow[]; onClose: () => void }) {
  const router = useRouter();
  const [scope, setScope] = useState<"global" | "namespaced">("global");
  const [namespace, setNamespace] = useState("");
  const [name, setName] = useState("");
  const [labelText, setLabelText] = useState("");
  const [list, setList] = useState("");
  const [domains, setDomains] = useState("");
  const [aggregate, setAggregate] = useState(true);
  const deferred = useDeferredValue(list);
  // The policy engine's own parser and aggregation, in the browser: large lists stay responsive.
  const analysis = useMemo(() => {
    const parsed = parseCidrList(deferred);
    const agg = aggregateCidrs(parsed.entries.map((e) => e.cidr.text));
    return { parsed, agg };
  }, [deferred]);
  const labels = parseLabels(labelText);
  const kind = scope === "global" ? "GlobalNetworkSet" : "NetworkSet";
  const exists = existing.some((s) => s.kind === kind && s.name === name && (s.namespace ?? "") === (scope === "global" ? "" : namespace));
  const nets = aggregate ? analysis.agg.cidrs.map((c) => c.text) : [...new Set(analysis.parsed.entries.map((e) => e.cidr.text))];
  const propose = useMutation({
    mutationFn: async () => {
      const document = {
        apiVersion: "projectcalico.org/v3",
        kind,
        metadata: { name, ...(scope === "namespaced" ? { namespace } : {}), ...(Object.keys(labels.labels).length ? { labels: labels.labels } : {}) },
        spec: {
          ...(nets.length ? { nets } : {}),
          ...(domains.trim() ? { allowedEgressDomains: domains.split(/[\s,]+/).filter(Boolean) } : {}),
        },
      };
      const cr = await api<{ id: string }>(`/api/v1/clusters/${encodeURIComponent(cluster)}/changes`, { body: { title: `${exists ? "Update" : "Create"} ${kind} ${name}` } });
      await api(`/api/v1/changes/${cr.id}/items`, { body: { changes: [{ op: exists ? "update" : "create", document }] } });
      return cr.id;
    },
    onSuccess: (id) => router.push(`/changes/${id}`),
  });
  const err = propose.error instanceof ApiError ? propose.error : null;
  const { parsed, agg } = analysis;
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title="New network set" description="Paste or upload a list: one CIDR or address per line, # comments, or CSV (the first cell that parses). It is checked here and proposed as a change request.">
      <form noValidate className="flex max-h-[70vh] flex-col gap-3 overflow-y-auto pr-1" onSubmit={(e) => { e.preventDefault(); propose.mutate(); }}>
        {err && (
          <Alert>
            {err.message}
            {err.errors.length > 0 && <ul className="mt-1 list-disc pl-5">{err.errors.slice(0, 10).map((x, i) => <li key={i}><code>{x.path}</code>: {x.message}</li>)}</ul>}
          </Alert>
        )}
        <div className="flex gap-3">
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
            Scope
            <select className="rounded-md border border-slate-300 bg-white px-2 py-2 text-sm" value={scope} onChange={(e) => setScope(e.target.value as "global" | "namespaced")}>
              <option value="global">Global</option>
              <option value="namespaced">Namespaced</option>
            </select>
          </label>
          {scope === "namespaced" && <Field label="Namespace" value={namespace} onChange={(e) => setNamespace(e.target.value)} className="flex-1" />}
        </div>
        <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} hint={exists ? "A set with this name exists: this proposes an update." : undefined} />
        <Field label="Labels" placeholder="feed=threats severity=high" value={labelText} onChange={(e) => setLabelText(e.target.value)} error={labels.error} hint="key=value pairs; policies select the set by these" />
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          CIDRs
          <textarea aria-label="CIDR list" rows={8} spellCheck={false} value={list} onChange={(e) => setList(e.target.value)} className="rounded-md border border-slate-300 px-3 py-2 font-mono text-xs" placeholder={"# one per line\n198.51.100.0/24\n203.0.113.7"} />
        </label>
        <label className="text-sm">
          <span className="font-medium text-slate-700">or upload a file </span>
          <input type="file" accept=".txt,.csv,text/plain,text/csv" aria-label="Upload CIDR list" onChange={(e) => { const f = e.target.files?.[0]; if (f) void f.text().then(setList); }} />
        </label>
        <div data-testid="cidr-analysis" className="rounded-md bg-slate-50 p-3 text-sm" aria-live="polite">
          <p>
            <strong>{parsed.entries.length.toLocaleString()}</strong> entries · {agg.duplicates.length.toLocaleString()} duplicates · {agg.covered.length.toLocaleString()} covered by larger ranges · {agg.merged.length.toLocaleString()} merges →{" "}
            <strong>{agg.cidrs.length.toLocaleString()}</strong> aggregated CIDRs{parsed.header ? ` · header line ${parsed.header.line} skipped` : ""}
          </p>
          {parsed.errors.length > 0 && (
            <div className="mt-2 text-red-700" role="alert">
              {parsed.errors.length.toLocaleString()} line{parsed.errors.length === 1 ? "" : "s"} could not be read:
              <ul className="mt-1 list-disc pl-5 font-mono text-xs">
                {parsed.errors.slice(0, 20).map((e) => <li key={e.line}>line {e.line}: {e.message}</li>)}
                {parsed.errors.length > 20 && <li>… and {parsed.errors.length - 20} more</li>}
              </ul>
            </div>
          )}
          <label className="mt-2 flex items-center gap-2">
            <input type="checkbox" checked={aggregate} onChange={(e) => setAggregate(e.target.checked)} />
            Store the aggregated list ({agg.cidrs.length.toLocaleString()} CIDRs) instead of every entry ({new Set(parsed.entries.map((e) => e.cidr.text)).size.toLocaleString()} unique)
          </label>
        </div>
        <Field label="Allowed egress domains" placeholder="*.s3.amazonaws.com api.partner.example" value={domains} onChange={(e) => setDomains(e.target.value)} />
        <div className="mt-2 flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" disabled={propose.isPending || parsed.errors.length > 0 || !name || Boolean(labels.error)}>
            {propose.isPending ? "Proposing…" : "Propose in a change request"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
