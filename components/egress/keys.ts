/** Query keys of the Egress page (mutations invalidate exact keys). */
export const egressKeys = {
  all: ["egress"] as const,
  view: (cluster: string) => ["egress", cluster] as const,
  freeAll: (cluster: string) => ["egress", cluster, "free-ips"] as const,
  free: (cluster: string, pool: string, params: Record<string, string | number | undefined>) => ["egress", cluster, "free-ips", pool, params] as const,
  namespaces: (cluster: string) => ["egress", cluster, "namespaces"] as const,
  firewall: (cluster: string, params: Record<string, string | number | undefined>) => ["egress", cluster, "firewall", params] as const,
};

/** GET /api/v1/clusters/{c}/egress/pools/{pool}/free-ips */
export interface FreeIps {
  pool: { name: string; cidrs: string[]; exclude: string[]; gatewayNodeSelector: string; description: string; inDraft: boolean };
  draft: { id: string; number: number; title: string } | null;
  usable: number;
  free: number;
  assigned: Array<{ ip: string; namespace: string; name: string; pool: string; requested: boolean; inDraft: boolean }>;
  auto: { ip: string | null; problem: string | null; moves: Array<{ namespace: string; name: string; from: string; to: string | null }> } | null;
  items: string[];
  total: number;
  page: number;
  pageSize: number;
}
