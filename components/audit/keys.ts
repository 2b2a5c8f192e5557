export const auditKeys = {
  all: ["audit"] as const,
  list: (filters: Record<string, string | undefined>, cursor: string | null) => [...auditKeys.all, "list", filters, cursor] as const,
  row: (seq: string) => [...auditKeys.all, "row", seq] as const,
};
