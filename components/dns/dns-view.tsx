"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { parseDomainPattern } from "@/server/policy/domain";
import { api, qs } from "../api";
import { ClusterSelect, useClusterPicker } from "../clusters/cluster-picker";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, Card, PageHeader } from "../ui/card";
import { EmptyState, Loading } from "../ui/empty";
import { Field } from "../ui/field";

interface DnsView {
  cluster: string;
  rules: Array<{ policy: string; tier: string; ruleIndex: number; domains: string[]; exclusive: boolean; pods: number; samplePods: string[] }>;
  networkSets: Array<{ set: string; domains: string[]; exclusive: boolean; policies: string[]; pods: number }>;
  learned: Array<{ node: string; name: string; ip: string; expiresAt: string }>;
  learnedMatching: number;
  learnedTotal: number;
}
const LEARNED_PAGE = 50;

const SAMPLE_NAMES = ["example.com", "www.example.com", "a.b.example.com", "api.stripe.com", "s3.eu-west-1.amazonaws.com", "update.x.tigera.io"];

/** Checks a domain pattern with the policy engine's own rules and shows what it matches. */
function PatternChecker() {
  const [pattern, setPattern] = useState("*.example.com");
  const [name, setName] = useState("");
  const checked = useMemo(() => {
    try {
      return { ok: true as const, p: parseDomainPattern(pattern) };
    } catch (err) {
      return { ok: false as const, message: err instanceof Error ? err.message : String(err) };
    }
  }, [pattern]);
  const names = [...new Set([...(name ? [name] : []), ...SAMPLE_NAMES])];
  return (
    <Card title="Check a domain pattern">
      <div className="grid gap-4 md:grid-cols-2">
        <Field label="Pattern" value={pattern} onChange={(e) => setPattern(e.target.value)} error={checked.ok ? undefined : checked.message} hint="Exact names, or one * standing for one or more whole labels: *.example.com, update.*.tigera.io" />
        <Field label="Also try this name" value={name} onChange={(e) => setName(e.target.value)} placeholder="payments.example.com" />
      </div>
      {checked.ok && (
        <ul className="mt-3 grid gap-1 text-sm md:grid-cols-2" aria-label="Pattern matches">
          {names.map((n) => (
            <li key={n} data-testid={`pattern-match-${n}`}>
              {checked.p.matches(n) ? <Badge tone="green">matches</Badge> : <Badge>no match</Badge>} <span className="font-mono">{n}</span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export function DnsPolicyView() {
  const { clusters, cluster, setCluster } = useClusterPicker();
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<"name" | "expiry" | "node">("name");
  const [page, setPage] = useState(1);
  const params = { q: filter.trim() || undefined, sort, page, pageSize: LEARNED_PAGE };
  const q = useQuery({
    queryKey: ["dns", cluster, params],
    queryFn: () => api<DnsView>(`/api/v1/clusters/${encodeURIComponent(cluster)}/dns${qs(params)}`),
    enabled: cluster !== "",
    refetchInterval: 10_000,
    placeholderData: keepPreviousData,
  });
  const pages = q.data ? Math.max(1, Math.ceil(q.data.learnedMatching / LEARNED_PAGE)) : 1;
  const v = q.data;
  return (
    <>
      <PageHeader
        title="DNS policy"
        description="Egress rules that name domains, the pods they grant, and the addresses agents have learned from the DNS answers those pods received. Enforcement is by address: names that share an address (CDNs, shared load balancers) share the grant."
      />
      <ClusterSelect options={clusters.data?.items} value={cluster} onChange={setCluster} />
      <div className="flex flex-col gap-6">
        <PatternChecker />
        {(clusters.isPending || q.isPending) && <Loading />}
        {q.isError && <Alert>Could not load DNS policy: {q.error.message}</Alert>}
        {v && (
          <>
            <Card title="Domain rules">
              {v.rules.length === 0 && v.networkSets.length === 0 ? (
                <EmptyState title="No published rule names a domain" />
              ) : (
                <ul className="flex flex-col gap-3 text-sm">
                  {v.rules.map((r) => (
                    <li key={`${r.policy}#${r.ruleIndex}`} data-testid={`dns-rule-${r.policy.split(" ").pop()}`}>
                      <span className="font-mono">{r.domains.join(", ")}</span> {r.exclusive && <Badge tone="amber">exclusive</Badge>}
                      <span className="block text-xs text-slate-600">
                        {r.policy} egress rule {r.ruleIndex} (tier {r.tier}) · grants {r.pods} pod{r.pods === 1 ? "" : "s"}
                        {r.samplePods.length > 0 && `: ${r.samplePods.join(", ")}${r.pods > r.samplePods.length ? ", …" : ""}`}
                      </span>
                    </li>
                  ))}
                  {v.networkSets.map((s) => (
                    <li key={s.set} data-testid={`dns-set-${s.set.split(" ").pop()}`}>
                      <span className="font-mono">{s.domains.join(", ")}</span> {s.exclusive && <Badge tone="amber">exclusive</Badge>}
                      <span className="block text-xs text-slate-600">
                        allowedEgressDomains of {s.set} · {s.policies.length ? `reached by ${s.policies.join(", ")} · grants ${s.pods} pods` : "no egress Allow rule selects this set"}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
            <Card title={`Learned names and addresses (${v.learnedTotal})`}>
              {v.learnedTotal > 0 && (
                <div className="mb-3 flex flex-wrap items-end gap-3" role="search" aria-label="Filter learned addresses">
                  <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
                    Filter
                    <input className="rounded-md border border-slate-300 px-2 py-1.5 text-sm" value={filter} placeholder="name, address or node" onChange={(e) => { setFilter(e.target.value); setPage(1); }} />
                  </label>
                  <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
                    Sort by
                    <select className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm" value={sort} onChange={(e) => { setSort(e.target.value as typeof sort); setPage(1); }}>
                      <option value="name">Name</option>
                      <option value="expiry">Expiry (soonest first)</option>
                      <option value="node">Node</option>
                    </select>
                  </label>
                </div>
              )}
              {v.learned.length === 0 && v.learnedTotal > 0 ? (
                <p className="text-sm text-slate-500">No learned entry matches “{filter}”.</p>
              ) : v.learned.length === 0 ? (
                <EmptyState title="Nothing learned right now">Agents learn addresses from the DNS answers pods receive; entries expire after their TTL plus the grace period.</EmptyState>
              ) : (
                <table className="w-full text-left text-sm" aria-label="Learned addresses">
                  <thead className="text-xs uppercase text-slate-500">
                    <tr>
                      <th scope="col" className="py-2 pr-3 font-medium">Name</th>
                      <th scope="col" className="py-2 pr-3 font-medium">Address</th>
                      <th scope="col" className="py-2 pr-3 font-medium">Node</th>
                      <th scope="col" className="py-2 font-medium">Expires</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {v.learned.map((e) => (
                      <tr key={`${e.node}|${e.name}|${e.ip}`}>
                        <td className="py-1.5 pr-3 font-mono">{e.name}</td>
                        <td className="py-1.5 pr-3 font-mono">{e.ip}</td>
                        <td className="py-1.5 pr-3 font-mono">{e.node}</td>
                        <td className="py-1.5">{new Date(e.expiresAt).toLocaleTimeString()}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {v.learnedMatching > LEARNED_PAGE && (
                <div className="mt-3 flex items-center justify-between text-sm text-slate-600">
                  <span>{v.learnedMatching.toLocaleString()} entries · page {page} of {pages}</span>
                  <span className="flex gap-2">
                    <Button size="sm" variant="secondary" disabled={page <= 1} onClick={() => setPage((x) => x - 1)}>Previous</Button>
                    <Button size="sm" variant="secondary" disabled={page >= pages} onClick={() => setPage((x) => x + 1)}>Next</Button>
                  </span>
                </div>
              )}
            </Card>
          </>
        )}
      </div>
    </>
  );
}
