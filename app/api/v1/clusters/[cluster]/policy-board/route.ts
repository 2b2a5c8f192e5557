import { z } from "zod";
import { route } from "@/server/http/route";
import { BOARD_KINDS, BOARD_MAX_PAGE_SIZE, BOARD_SORTS, getPolicyBoard } from "@/server/services/policies/get-policy-board";
import { ZClusterParam } from "@/server/services/schemas";

const ZQuery = z.strictObject({
  q: z.string().max(253).optional(),
  kind: z.enum(BOARD_KINDS, { error: `kind must be one of ${BOARD_KINDS.join(", ")}` }).optional(),
  tier: z.string().min(1).max(63).optional(),
  sort: z.enum(BOARD_SORTS, { error: `sort must be one of ${BOARD_SORTS.join(", ")}` }).optional(),
  dir: z.enum(["asc", "desc"], { error: "dir must be asc or desc" }).optional(),
  limit: z.coerce.number().int().min(1).max(BOARD_MAX_PAGE_SIZE).optional(),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
  changeRequest: z.uuid({ error: "changeRequest must be a change request id (UUID)" }).optional(),
  withDraft: z.stringbool({ error: "withDraft must be true or false" }).optional(),
});

/** The policy board: filtered, sorted, paginated; in evaluation order grouped by tier. */
export const GET = route({ auth: "authenticated", params: ZClusterParam, query: ZQuery }, ({ ctx, params, query }) => getPolicyBoard(ctx, params.cluster, query));
