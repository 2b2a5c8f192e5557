export interface UserListParams {
  q?: string;
  role?: string;
  status?: string;
  sort?: string;
  dir?: "asc" | "desc";
  page: number;
  pageSize: number;
}

export const userKeys = {
  all: ["users"] as const,
  list: (p: UserListParams) => [...userKeys.all, "list", p] as const,
};
