/**
 * Filters over the audit store as one SQL condition, shared by the list, the export and the bench.
 */
import { z } from "zod";
import { Prisma } from "../../db";

export const ZAuditFilters = z.strictObject({
  from: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).optional(),
  to: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).optional(),
  /** Actor name contains (case-insensitive). */
  actor: z.string().max(200).optional(),
  /** Action, exact ("change.publish") or a prefix ending in "." or "*" ("change.", "change.*"). */
  action: z.string().max(100).optional(),
  /** Target id, or `type:id`, or `type:` for every target of a type. */
  target: z.string().max(300).optional(),
  outcome: z.enum(["success", "failure", "denied"]).optional(),
  /** Free text over action, actor, target, request id and the before/after/details JSON. */
  q: z.string().max(200).optional(),
});
export type TAuditFilters = z.infer<typeof ZAuditFilters>;

function like(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The WHERE condition for `filters` (always a valid SQL expression; `TRUE` for none). */
export function auditWhere(filters: TAuditFilters, extra: Prisma.Sql[] = []): Prisma.Sql {
  const parts: Prisma.Sql[] = [...extra];
  if (filters.from) parts.push(Prisma.sql`at >= ${new Date(filters.from)}`);
  if (filters.to) parts.push(Prisma.sql`at < ${new Date(filters.to)}`);
  if (filters.actor) parts.push(Prisma.sql`actor_name ILIKE ${like(filters.actor)}`);
  if (filters.action) {
    const a = filters.action.endsWith("*") ? filters.action.slice(0, -1) : filters.action;
    parts.push(a.endsWith(".") ? Prisma.sql`starts_with(action, ${a})` : Prisma.sql`action = ${a}`);
  }
  if (filters.target) {
    const colon = filters.target.indexOf(":");
    if (colon < 0) parts.push(Prisma.sql`target_id = ${filters.target}`);
    else {
      const type = filters.target.slice(0, colon);
      const id = filters.target.slice(colon + 1);
      parts.push(id ? Prisma.sql`target_type = ${type} AND target_id = ${id}` : Prisma.sql`target_type = ${type}`);
    }
  }
  if (filters.outcome) parts.push(Prisma.sql`outcome = ${filters.outcome}`);
  if (filters.q) {
    const q = like(filters.q);
    parts.push(Prisma.sql`(action ILIKE ${q} OR actor_name ILIKE ${q} OR target_id ILIKE ${q} OR target_type ILIKE ${q} OR request_id ILIKE ${q}
      OR before::text ILIKE ${q} OR after::text ILIKE ${q} OR details::text ILIKE ${q})`);
  }
  return parts.length ? Prisma.join(parts, " AND ") : Prisma.sql`TRUE`;
}

/**
 * One row as the JSON object its hash covers (plus `hash`), built by Postgres: `seq` as a string
 * and `at` in JavaScript's toISOString form, so a reader can recompute every row's hash.
 */
export const AUDIT_ROW_JSON = Prisma.sql`json_build_object(
  'seq', seq::text,
  'at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'actorType', actor_type, 'actorId', actor_id, 'actorName', actor_name, 'action', action,
  'targetType', target_type, 'targetId', target_id, 'outcome', outcome,
  'sourceIp', source_ip, 'userAgent', user_agent, 'requestId', request_id,
  'before', before, 'after', after, 'details', details,
  'prevHash', prev_hash, 'hash', hash)::text`;
