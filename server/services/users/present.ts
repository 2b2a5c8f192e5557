import type { RoleName } from "../../auth/actor";

/** What the API shows of a user: never the password hash. */
export function presentUser(u: {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  disabled: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    roles: u.roles as RoleName[],
    disabled: u.disabled,
    createdAt: u.createdAt.toISOString(),
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  };
}
export type TUser = ReturnType<typeof presentUser>;
