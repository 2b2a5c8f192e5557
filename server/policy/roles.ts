/** Console roles, shared by the server and the browser. */
export type RoleName = "viewer" | "author" | "approver" | "auditor" | "admin";
export const ROLE_NAMES: readonly RoleName[] = ["viewer", "author", "approver", "auditor", "admin"];
export const ROLE_DESCRIPTIONS: Record<RoleName, string> = {
  viewer: "read policies, inventory and revisions",
  author: "propose changes",
  approver: "review and approve other people's changes",
  auditor: "read and export the audit log",
  admin: "manage users, clusters and settings",
};
