import { z } from "zod";

/**
 * Input schemas of change requests, approvals, settings and webhooks, shared by the API routes
 * and the console's forms. Resource documents themselves are validated by `parseResource`.
 */

export const CHANGE_STATES = ["draft", "submitted", "approved", "published", "rejected", "withdrawn", "conflicted"] as const;
export type TChangeState = (typeof CHANGE_STATES)[number];
export const CHANGE_OPS = ["create", "update", "delete"] as const;
export type TChangeOp = (typeof CHANGE_OPS)[number];

export const ZClusterName = z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: "must be a cluster name" });

export const ZOpenChangeRequest = z.strictObject({
  title: z.string().trim().min(3, { error: "give the change a title of at least 3 characters" }).max(200, { error: "at most 200 characters" }),
  description: z.string().max(10_000, { error: "at most 10000 characters" }).optional(),
});
export type TOpenChangeRequest = z.infer<typeof ZOpenChangeRequest>;

const ZResourceRef = z.strictObject({
  kind: z.string().min(1).max(64),
  namespace: z.string().max(63).optional(),
  name: z.string().min(1).max(253),
});

/** One change: create/update carry the full resource document; delete names the resource. */
export const ZChangeInput = z.discriminatedUnion("op", [
  z.strictObject({ op: z.literal("create"), document: z.record(z.string(), z.unknown(), { error: "document must be a resource object" }) }),
  z.strictObject({ op: z.literal("update"), document: z.record(z.string(), z.unknown(), { error: "document must be a resource object" }) }),
  z.strictObject({ op: z.literal("delete"), resource: ZResourceRef }),
]);
export type TChangeInput = z.infer<typeof ZChangeInput>;

export const ZAddChanges = z.strictObject({
  changes: z.array(ZChangeInput).min(1, { error: "add at least one change" }).max(5000, { error: "at most 5000 changes at once" }),
});

/** A change saved from an editor: like ZChangeInput, plus the version of the resource the editor started from. */
const ZBaseVersion = z.int({ error: "baseVersion must be an integer" }).min(0, { error: "baseVersion must be 0 (new) or a resource version" }).optional();
export const ZDraftChange = z.discriminatedUnion("op", [
  z.strictObject({ op: z.literal("create"), document: z.record(z.string(), z.unknown(), { error: "document must be a resource object" }), baseVersion: ZBaseVersion }),
  z.strictObject({ op: z.literal("update"), document: z.record(z.string(), z.unknown(), { error: "document must be a resource object" }), baseVersion: ZBaseVersion }),
  z.strictObject({ op: z.literal("delete"), resource: ZResourceRef, baseVersion: ZBaseVersion }),
], { error: "op must be create, update or delete" });
export type TDraftChange = z.infer<typeof ZDraftChange>;

/**
 * "Save to draft": changes (or pasted YAML) added to the caller's open draft change request for a
 * cluster, which is created (with `title`, or a default one) when there is none.
 */
export const ZSaveToDraft = z
  .strictObject({
    title: ZOpenChangeRequest.shape.title.optional(),
    changes: z.array(ZDraftChange).min(1, { error: "add at least one change" }).max(5000, { error: "at most 5000 changes at once" }).optional(),
    yaml: z.string().min(1, { error: "paste at least one resource" }).max(5_000_000).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.changes === undefined) === (v.yaml === undefined)) ctx.addIssue({ code: "custom", message: "give either changes or yaml", path: ["changes"] });
  });
export type TSaveToDraft = z.infer<typeof ZSaveToDraft>;

/** Multi-document Calico YAML: each resource becomes a create (new) or update (existing) change. */
export const ZImportYaml = z.strictObject({
  yaml: z.string().min(1, { error: "paste at least one resource" }).max(5_000_000),
});

export const ZOpenFromYaml = ZOpenChangeRequest.extend({ yaml: ZImportYaml.shape.yaml });

export const ZReview = z.strictObject({
  decision: z.enum(["approve", "reject"], { error: "decision must be approve or reject" }),
  comment: z.string().max(10_000).optional(),
});

export const ZComment = z.strictObject({
  body: z.string().trim().min(1, { error: "write a comment" }).max(10_000, { error: "at most 10000 characters" }),
});

const ZTierName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: "tier names are DNS labels" }).max(63);

export const ZApprovalSettings = z.strictObject({
  /** Approvals a change request needs before it can be published. */
  requiredApprovals: z.number({ error: "must be a number" }).int().min(1, { error: "at least 1" }).max(10, { error: "at most 10" }),
  /** Per-tier overrides: a request touching a tier needs the highest count among its tiers. */
  tierOverrides: z.record(ZTierName, z.number({ error: "must be a number" }).int().min(1, { error: "at least 1" }).max(10, { error: "at most 10" })),
  /** Publish automatically as soon as the approvals are met. */
  autoPublish: z.boolean(),
});
export type TApprovalSettings = z.infer<typeof ZApprovalSettings>;
export const DEFAULT_APPROVAL_SETTINGS: TApprovalSettings = { requiredApprovals: 1, tierOverrides: {}, autoPublish: false };

export const WEBHOOK_EVENTS = ["change.submitted", "change.approved", "change.rejected", "change.published"] as const;
export type TWebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const ZCreateWebhook = z.strictObject({
  url: z.url({ error: "must be an http(s) URL" }).refine((u) => /^https?:\/\//.test(u), { error: "must be an http(s) URL" }),
  secret: z.string().min(16, { error: "at least 16 characters" }).max(256),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1, { error: "pick at least one event" }).transform((e) => [...new Set(e)]),
});
export type TCreateWebhook = z.infer<typeof ZCreateWebhook>;
