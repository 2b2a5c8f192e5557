export interface PodListParams {
  namespace?: string;
  label?: string;
  q?: string;
  sort?: string;
  dir?: "asc" | "desc";
  page: number;
  pageSize: number;
}

export const inventoryKeys = {
  all: (cluster: string) => ["inventory", cluster] as const,
  namespaces: (cluster: string) => [...inventoryKeys.all(cluster), "namespaces"] as const,
  pods: (cluster: string, p: PodListParams) => [...inventoryKeys.all(cluster), "pods", p] as const,
};
