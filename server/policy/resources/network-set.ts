/**
 * NetworkSet / GlobalNetworkSet (reference §4) with Enterprise `allowedEgressDomains`.
 */
import { z } from "zod";
import { CALICO_API_VERSION, makeMetadata } from "./common";
import { ZDomainPattern, ZLooseCidr } from "./rule";

const ZNetworkSetSpec = z
  .strictObject({
    nets: z.array(ZLooseCidr).optional(),
    allowedEgressDomains: z.array(ZDomainPattern).optional(),
  })
  .prefault({});

const RESERVED_LABEL = "projectcalico.org/namespace";

function noReservedLabel(kind: string) {
  return (set: { metadata: { labels?: Record<string, string> | undefined } }, ctx: z.RefinementCtx) => {
    if (set.metadata.labels && RESERVED_LABEL in set.metadata.labels) {
      ctx.addIssue({
        code: "custom",
        message: `${kind} labels may not set ${RESERVED_LABEL} (Calico adds it to namespaced sets itself)`,
        path: ["metadata", "labels", RESERVED_LABEL],
      });
    }
  };
}

export const ZNetworkSet = z
  .strictObject({
    apiVersion: z.literal(CALICO_API_VERSION),
    kind: z.literal("NetworkSet"),
    metadata: makeMetadata({ kind: "NetworkSet", namespaced: true, nameFormat: "dns-subdomain" }),
    spec: ZNetworkSetSpec,
  })
  .superRefine(noReservedLabel("NetworkSet"));
export type TNetworkSet = z.output<typeof ZNetworkSet>;

export const ZGlobalNetworkSet = z
  .strictObject({
    apiVersion: z.literal(CALICO_API_VERSION),
    kind: z.literal("GlobalNetworkSet"),
    metadata: makeMetadata({ kind: "GlobalNetworkSet", namespaced: false, nameFormat: "dns-subdomain" }),
    spec: ZNetworkSetSpec,
  })
  .superRefine(noReservedLabel("GlobalNetworkSet"));
export type TGlobalNetworkSet = z.output<typeof ZGlobalNetworkSet>;

export type TAnyNetworkSet = TNetworkSet | TGlobalNetworkSet;
