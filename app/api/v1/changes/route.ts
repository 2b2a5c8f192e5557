import { z } from "zod";
import { route } from "@/server/http/route";
import { CHANGE_STATES } from "@/server/policy/changes";
import { listChangeRequests } from "@/server/services/changes/list-change-requests";
import { ZPageQuery } from "@/server/services/schemas";

const ZState = z.enum(CHANGE_STATES);
const ZQuery = z.strictObject({
  cluster: z.string().max(63).optional(),
  state: z.union([ZState, z.array(ZState)]).optional().transform((s) => (s === undefined ? undefined : Array.isArray(s) ? s : [s])),
  q: z.string().max(200).optional(),
  mine: z.enum(["true", "false"]).optional().transform((v) => v === "true"),
  ...ZPageQuery,
});

export const GET = route({ auth: "authenticated", query: ZQuery }, ({ ctx, query }) => listChangeRequests(ctx, query));
