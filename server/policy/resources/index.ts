/**
 * Every resource kind Portcullis understands, one discriminated schema over
 * them (`ZResource`) and `parseResource`, which returns a typed resource or
 * structured, path-carrying issues.
 */
import { z } from "zod";
import { CALICO_API_VERSION, issuesFromZod, PORTCULLIS_API_VERSION, type ResourceIssue } from "./common";
import { ZEgressAssignment, ZEgressIPPool, type TEgressAssignment, type TEgressIPPool } from "./egress";
import { k8sNetworkPolicyToCalico, ZK8sNetworkPolicy } from "./kubernetes";
import { ZGlobalNetworkSet, ZNetworkSet, type TGlobalNetworkSet, type TNetworkSet } from "./network-set";
import {
  ZGlobalNetworkPolicy,
  ZNetworkPolicy,
  ZStagedGlobalNetworkPolicy,
  ZStagedNetworkPolicy,
  ZTier,
  type TGlobalNetworkPolicy,
  type TNetworkPolicy,
  type TStagedGlobalNetworkPolicy,
  type TStagedNetworkPolicy,
  type TTier,
} from "./policy";

export * from "./common";
export * from "./rule";
export * from "./policy";
export * from "./network-set";
export * from "./egress";
export * from "./kubernetes";

/** Kubernetes NetworkPolicy accepted on input, converted to a Calico NetworkPolicy. */
export const ZK8sNetworkPolicyImport = ZK8sNetworkPolicy.transform(k8sNetworkPolicyToCalico);

export const ZResource = z.discriminatedUnion("kind", [
  ZTier,
  z.discriminatedUnion("apiVersion", [ZNetworkPolicy, ZK8sNetworkPolicyImport]),
  ZGlobalNetworkPolicy,
  ZStagedNetworkPolicy,
  ZStagedGlobalNetworkPolicy,
  ZNetworkSet,
  ZGlobalNetworkSet,
  ZEgressIPPool,
  ZEgressAssignment,
]);
export type TResource =
  | TTier
  | TNetworkPolicy
  | TGlobalNetworkPolicy
  | TStagedNetworkPolicy
  | TStagedGlobalNetworkPolicy
  | TNetworkSet
  | TGlobalNetworkSet
  | TEgressIPPool
  | TEgressAssignment;
export type TResourceKind = TResource["kind"];

type AnySchema = z.ZodType<TResource, unknown>;

const SCHEMAS: Record<string, Record<string, AnySchema>> = {
  [CALICO_API_VERSION]: {
    Tier: ZTier,
    NetworkPolicy: ZNetworkPolicy,
    GlobalNetworkPolicy: ZGlobalNetworkPolicy,
    StagedNetworkPolicy: ZStagedNetworkPolicy,
    StagedGlobalNetworkPolicy: ZStagedGlobalNetworkPolicy,
    NetworkSet: ZNetworkSet,
    GlobalNetworkSet: ZGlobalNetworkSet,
  },
  [PORTCULLIS_API_VERSION]: {
    EgressIPPool: ZEgressIPPool,
    EgressAssignment: ZEgressAssignment,
  },
  "networking.k8s.io/v1": {
    NetworkPolicy: ZK8sNetworkPolicyImport,
  },
};

export const RESOURCE_KINDS: readonly string[] = [...new Set(Object.values(SCHEMAS).flatMap((m) => Object.keys(m)))];

/** Returns the schema for an apiVersion/kind pair, or an issue explaining what is wrong. */
export function schemaFor(apiVersion: unknown, kind: unknown): { schema: AnySchema } | { issue: ResourceIssue } {
  if (typeof kind !== "string" || kind === "") return { issue: { path: ["kind"], message: "kind is required" } };
  const versions = Object.keys(SCHEMAS).filter((v) => SCHEMAS[v]![kind] !== undefined);
  if (versions.length === 0) {
    return { issue: { path: ["kind"], message: `unknown kind "${kind}"; expected one of ${RESOURCE_KINDS.join(", ")}` } };
  }
  if (typeof apiVersion !== "string" || !versions.includes(apiVersion)) {
    return {
      issue: {
        path: ["apiVersion"],
        message: `apiVersion for ${kind} must be ${versions.join(" or ")}${typeof apiVersion === "string" ? ` (got "${apiVersion}")` : ""}`,
      },
    };
  }
  return { schema: SCHEMAS[apiVersion]![kind]! };
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ResourceIssue[] };

/** Validates one resource object (already decoded from YAML/JSON). */
export function parseResource(obj: unknown): ParseResult<TResource> {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    return { ok: false, issues: [{ path: [], message: "a resource must be a mapping with apiVersion, kind, metadata and spec" }] };
  }
  const rec = obj as Record<string, unknown>;
  const found = schemaFor(rec.apiVersion, rec.kind);
  if ("issue" in found) return { ok: false, issues: [found.issue] };
  const r = found.schema.safeParse(obj);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, issues: issuesFromZod(r.error) };
}

/** Like parseResource but throws a ResourceValidationError. */
export function parseResourceOrThrow(obj: unknown): TResource {
  const r = parseResource(obj);
  if (r.ok) return r.value;
  throw new ResourceValidationError(r.issues);
}

export class ResourceValidationError extends Error {
  readonly issues: ResourceIssue[];
  constructor(issues: ResourceIssue[]) {
    super(issues.map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`).join("; "));
    this.name = "ResourceValidationError";
    this.issues = issues;
  }
}

export function isPolicy(r: TResource): r is TNetworkPolicy | TGlobalNetworkPolicy | TStagedNetworkPolicy | TStagedGlobalNetworkPolicy {
  return r.kind === "NetworkPolicy" || r.kind === "GlobalNetworkPolicy" || r.kind === "StagedNetworkPolicy" || r.kind === "StagedGlobalNetworkPolicy";
}

export function isNetworkSet(r: TResource): r is TNetworkSet | TGlobalNetworkSet {
  return r.kind === "NetworkSet" || r.kind === "GlobalNetworkSet";
}
