import { z } from "zod";
import { ROLE_NAMES, type RoleName } from "./roles";

/** Account input schemas, shared by the API routes and the console's forms. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export const ZUsername = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{1,62}$/, { error: "use 2-63 characters: a-z, 0-9, '.', '_' or '-', starting with a letter or digit" });

export const ZPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { error: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(PASSWORD_MAX_LENGTH, { error: `must be at most ${PASSWORD_MAX_LENGTH} characters` });

export const ZRole = z.enum(ROLE_NAMES as unknown as [RoleName, ...RoleName[]], { error: `must be one of ${ROLE_NAMES.join(", ")}` });

export const ZRoles = z
  .array(ZRole)
  .min(1, { error: "give the user at least one role" })
  .transform((roles) => [...new Set(roles)]);

export const ZLogin = z.strictObject({
  username: z.string().min(1, { error: "enter your username" }).max(63),
  password: z.string().min(1, { error: "enter your password" }).max(PASSWORD_MAX_LENGTH),
});

export const ZCreateUser = z.strictObject({
  username: ZUsername,
  displayName: z.string().trim().min(1, { error: "enter a display name" }).max(120),
  password: ZPassword,
  roles: ZRoles,
});

export const ZUpdateUser = z
  .strictObject({
    displayName: z.string().trim().min(1, { error: "enter a display name" }).max(120).optional(),
    roles: ZRoles.optional(),
    disabled: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { error: "change at least one field" });

export const ZResetPassword = z.strictObject({ password: ZPassword });

export const ZChangeOwnPassword = z.strictObject({
  currentPassword: z.string().min(1, { error: "enter your current password" }).max(PASSWORD_MAX_LENGTH),
  newPassword: ZPassword,
});

export const ZCreateApiToken = z.strictObject({
  name: z.string().trim().min(1, { error: "name the token" }).max(80),
  expiresInDays: z.number().int().min(1).max(366).nullable().optional(),
});

export type TCreateUser = z.infer<typeof ZCreateUser>;
export type TUpdateUser = z.infer<typeof ZUpdateUser>;
