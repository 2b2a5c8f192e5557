/** Query keys of the Import / export page. */
export const importKeys = {
  all: ["import"] as const,
  preview: (cluster: string, version: number, params: Record<string, string | number | undefined>) => ["import", cluster, "preview", version, params] as const,
  resources: (cluster: string, params: Record<string, string | number | undefined>) => ["import", cluster, "resources", params] as const,
};

export type ImportAction = "create" | "update" | "unchanged" | "error";

/** POST /api/v1/clusters/{c}/import/preview */
export interface ImportPreview {
  cluster: string;
  revision: number;
  draft: { id: string; number: number; title: string } | null;
  summary: { documents: number; create: number; update: number; unchanged: number; errors: number };
  changes: Array<{ op: "create" | "update"; document: Record<string, unknown>; baseVersion: number }>;
  documents: Array<{
    document: number;
    item: number | null;
    line: number;
    kind: string | null;
    namespace: string | null;
    name: string | null;
    convertedFrom: string | null;
    action: ImportAction;
    against: "draft" | "published" | null;
    errors: Array<{ line: number; path: string; message: string }>;
    yaml: string | null;
    diff: { lines: Array<{ op: "same" | "add" | "del"; text: string }>; added: number; removed: number } | null;
  }>;
  total: number;
  page: number;
  pageSize: number;
}
