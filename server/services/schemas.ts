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
