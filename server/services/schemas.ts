import { z } from "zod";

export {
  ZUsername,
  ZPassword,
  ZRole,
  ZRoles,
  ZLogin,
  ZCreateUser,
  ZUpdateUser,
  ZResetPassword,
  ZChangeOwnPassword,
  ZCreateApiToken,
  type TCreateUser,
  type TUpdateUser,
} from "../policy/accounts";

export const ZUuidParam = z.strictObject({ id: z.uuid({ error: "must be a UUID" }) });

export const ZClusterParam = z.strictObject({ cluster: z.string().min(1).max(63) });
export const ZRevisionParam = z.strictObject({ cluster: z.string().min(1).max(63), n: z.coerce.number({ error: "must be a revision number" }).int().min(1) });
export const ZChangeItemParam = z.strictObject({ id: z.uuid({ error: "must be a UUID" }), itemId: z.uuid({ error: "must be a UUID" }) });
export const ZPageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  pageSize: z.coerce.number().int().min(1).max(200).optional(),
};
