/**
 * Tier, (Staged)NetworkPolicy and (Staged)GlobalNetworkPolicy (reference §2, §3.1).
 */
import { z } from "zod";
import { CALICO_API_VERSION, isDnsLabel, makeMetadata, selectorField } from "./common";
import { ZEgressRule, ZIngressRule, type TRule } from "./rule";

export const BUILTIN_TIERS = {
  "kube-admin": { order: 1_000, defaultAction: "Pass" },
  default: { order: 1_000_000, defaultAction: "Deny" },
  "kube-baseline": { order: 10_000_000, defaultAction: "Pass" },
} as const;

export const ZTier = z.strictObject({
  apiVersion: z.literal(CALICO_API_VERSION),
  kind: z.literal("Tier"),
  metadata: makeMetadata({ kind: "Tier", namespaced: false, nameFormat: "dns-label" }),
  spec: z
    .strictObject({
      order: z.number({ error: "order must be a number" }).optional(),
      defaultAction: z.enum(["Deny", "Pass"], { error: "defaultAction must be Deny or Pass" }).optional(),
    })
    .prefault({}),
}).superRefine((tier, ctx) => {
  const builtin = BUILTIN_TIERS[tier.metadata.name as keyof typeof BUILTIN_TIERS];
  if (!builtin) return;
  if (tier.spec.order !== undefined && tier.spec.order !== builtin.order) {
    ctx.addIssue({ code: "custom", message: `tier "${tier.metadata.name}" must have order ${builtin.order}`, path: ["spec", "order"] });
  }
  if (tier.metadata.name === "default" && tier.spec.defaultAction === "Pass") {
    ctx.addIssue({ code: "custom", message: 'the "default" tier must have defaultAction Deny', path: ["spec", "defaultAction"] });
  }
});
export type TTier = z.output<typeof ZTier>;

export const POLICY_TYPES = ["Ingress", "Egress"] as const;
export type TPolicyType = (typeof POLICY_TYPES)[number];

export const STAGED_ACTIONS = ["Set", "Delete", "Learn", "Ignore"] as const;
export type TStagedAction = (typeof STAGED_ACTIONS)[number];

const tierName = z.string().superRefine((t, ctx) => {
  if (!isDnsLabel(t)) ctx.addIssue({ code: "custom", message: `tier "${t}" must be a DNS label (lower-case alphanumerics and "-", no dots)` });
});

const ZTypes = z
  .array(z.enum(POLICY_TYPES, { error: "types entries must be Ingress or Egress" }))
  .max(2, { error: "types has at most 2 entries" })
  .superRefine((t, ctx) => {
    if (new Set(t).size !== t.length) ctx.addIssue({ code: "custom", message: "types must not contain duplicates" });
  });

const commonSpec = {
  tier: tierName.optional(),
  order: z.number({ error: "order must be a number" }).optional(),
  selector: selectorField({ maxLength: 1024 }).optional(),
  serviceAccountSelector: selectorField().optional(),
  types: ZTypes.optional(),
  ingress: z.array(ZIngressRule).max(1024, { error: "at most 1024 ingress rules" }).optional(),
  egress: z.array(ZEgressRule).max(1024, { error: "at most 1024 egress rules" }).optional(),
  performanceHints: z.array(z.literal("AssumeNeededOnEveryNode", { error: "performanceHints entries must be AssumeNeededOnEveryNode" })).optional(),
};

const globalOnlySpec = {
  namespaceSelector: selectorField().optional(),
  doNotTrack: z.boolean().optional(),
  preDNAT: z.boolean().optional(),
  applyOnForward: z.boolean().optional(),
};

const stagedSpec = {
  stagedAction: z.enum(STAGED_ACTIONS, { error: "stagedAction must be Set, Delete, Learn or Ignore" }).optional(),
};

/** Types defaulting (§2.2): egress rules only → [Egress]; both → [Ingress, Egress]; otherwise [Ingress]. */
export function defaultPolicyTypes(spec: { ingress?: readonly TRule[]; egress?: readonly TRule[] }): TPolicyType[] {
  const hasIngress = (spec.ingress?.length ?? 0) > 0;
  const hasEgress = (spec.egress?.length ?? 0) > 0;
  if (hasEgress && !hasIngress) return ["Egress"];
  if (hasEgress && hasIngress) return ["Ingress", "Egress"];
  return ["Ingress"];
}

type SpecInput = {
  tier?: string;
  types?: TPolicyType[];
  ingress?: TRule[];
  egress?: TRule[];
  stagedAction?: TStagedAction;
  doNotTrack?: boolean;
  preDNAT?: boolean;
  applyOnForward?: boolean;
  [k: string]: unknown;
};

function checkSpec(spec: SpecInput, ctx: z.RefinementCtx): void {
  if (spec.stagedAction === "Delete") {
    for (const [k, v] of Object.entries(spec)) {
      if (k === "tier" || k === "stagedAction" || v === undefined) continue;
      if (Array.isArray(v) && v.length === 0) continue;
      ctx.addIssue({ code: "custom", message: `with stagedAction Delete every field except tier must be empty (${k} is set)`, path: [k] });
    }
  }
  if ((spec.doNotTrack || spec.preDNAT) && !spec.applyOnForward) {
    ctx.addIssue({ code: "custom", message: "applyOnForward must be true when doNotTrack or preDNAT is set", path: ["applyOnForward"] });
  }
  if (spec.preDNAT) {
    if (spec.doNotTrack) ctx.addIssue({ code: "custom", message: "preDNAT cannot be combined with doNotTrack", path: ["preDNAT"] });
    if ((spec.egress?.length ?? 0) > 0) ctx.addIssue({ code: "custom", message: "a preDNAT policy cannot have egress rules", path: ["egress"] });
    if (spec.types?.includes("Egress")) ctx.addIssue({ code: "custom", message: "a preDNAT policy cannot have the Egress type", path: ["types"] });
  }
}

function finishSpec<T extends SpecInput>(spec: T): T & { tier: string; types: TPolicyType[] } {
  const explicit = spec.types !== undefined && spec.types.length > 0;
  const types: TPolicyType[] = explicit ? spec.types! : spec.stagedAction === "Delete" ? [] : defaultPolicyTypes(spec);
  return { ...spec, tier: spec.tier ?? "default", types };
}

function makeSpec<S extends z.core.$ZodLooseShape>(shape: S) {
  return z
    .strictObject(shape)
    .superRefine((s, ctx) => checkSpec(s as unknown as SpecInput, ctx))
    .transform((s) => finishSpec(s as z.output<z.ZodObject<S, z.core.$strict>> & SpecInput))
    .prefault({} as never);
}

export const ZNetworkPolicySpec = makeSpec(commonSpec);
export const ZGlobalNetworkPolicySpec = makeSpec({ ...commonSpec, ...globalOnlySpec });
export const ZStagedNetworkPolicySpec = makeSpec({ ...commonSpec, ...stagedSpec });
export const ZStagedGlobalNetworkPolicySpec = makeSpec({ ...commonSpec, ...globalOnlySpec, ...stagedSpec });

export const ZNetworkPolicy = z.strictObject({
  apiVersion: z.literal(CALICO_API_VERSION),
  kind: z.literal("NetworkPolicy"),
  metadata: makeMetadata({ kind: "NetworkPolicy", namespaced: true, nameFormat: "policy" }),
  spec: ZNetworkPolicySpec,
});
export type TNetworkPolicy = z.output<typeof ZNetworkPolicy>;

export const ZGlobalNetworkPolicy = z.strictObject({
  apiVersion: z.literal(CALICO_API_VERSION),
  kind: z.literal("GlobalNetworkPolicy"),
  metadata: makeMetadata({ kind: "GlobalNetworkPolicy", namespaced: false, nameFormat: "global-policy" }),
  spec: ZGlobalNetworkPolicySpec,
});
export type TGlobalNetworkPolicy = z.output<typeof ZGlobalNetworkPolicy>;

export const ZStagedNetworkPolicy = z.strictObject({
  apiVersion: z.literal(CALICO_API_VERSION),
  kind: z.literal("StagedNetworkPolicy"),
  metadata: makeMetadata({ kind: "StagedNetworkPolicy", namespaced: true, nameFormat: "policy" }),
  spec: ZStagedNetworkPolicySpec,
});
export type TStagedNetworkPolicy = z.output<typeof ZStagedNetworkPolicy>;

export const ZStagedGlobalNetworkPolicy = z.strictObject({
  apiVersion: z.literal(CALICO_API_VERSION),
  kind: z.literal("StagedGlobalNetworkPolicy"),
  metadata: makeMetadata({ kind: "StagedGlobalNetworkPolicy", namespaced: false, nameFormat: "global-policy" }),
  spec: ZStagedGlobalNetworkPolicySpec,
});
export type TStagedGlobalNetworkPolicy = z.output<typeof ZStagedGlobalNetworkPolicy>;

export type TAnyPolicy = TNetworkPolicy | TGlobalNetworkPolicy | TStagedNetworkPolicy | TStagedGlobalNetworkPolicy;
export type TPolicySpec = TAnyPolicy["spec"];
