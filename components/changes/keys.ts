export interface ChangeListParams {
  cluster?: string;
  state?: string;
  mine?: string;
  q?: string;
  page: number;
  pageSize: number;
}

/** Query keys of change requests, revisions and settings (mutations invalidate exact keys). */
export const changeKeys = {
  all: ["changes"] as const,
  list: (p: ChangeListParams) => [...changeKeys.all, "list", p] as const,
  detail: (id: string) => [...changeKeys.all, "detail", id] as const,
  impact: (id: string) => [...changeKeys.all, "impact", id] as const,
};

export const revisionKeys = {
  all: ["revisions"] as const,
  list: (cluster: string, page: number) => [...revisionKeys.all, cluster, "list", page] as const,
  detail: (cluster: string, n: number) => [...revisionKeys.all, cluster, "detail", n] as const,
};

export const settingsKeys = {
  all: ["settings"] as const,
  webhooks: ["settings", "webhooks"] as const,
  signingKey: ["settings", "signing-key"] as const,
};
