/**
 * Portcullis's own egress kinds (group portcullis.dev/v1): EgressIPPool and
 * EgressAssignment.
 */
import { z } from "zod";
import { cidrContains, CidrError, parseCidr, parseIp, type Cidr } from "../cidr";
import { makeMetadata, nameProblem, PORTCULLIS_API_VERSION, selectorField } from "./common";
import { ZStrictCidr } from "./rule";

const ZIpOrCidr = z.string({ error: "expected an IP address or CIDR" }).superRefine((s, ctx) => {
  try {
    parseCidr(s, { strict: false });
  } catch (err) {
    if (err instanceof CidrError) ctx.addIssue({ code: "custom", message: err.message });
    else throw err;
  }
});


export const ZEgressIPPool = z.strictObject({
  apiVersion: z.literal(PORTCULLIS_API_VERSION),
  kind: z.literal("EgressIPPool"),
  metadata: makeMetadata({ kind: "EgressIPPool", namespaced: false, nameFormat: "dns-subdomain" }),
  spec: z
    .strictObject({
      cidrs: z.array(ZStrictCidr, { error: "cidrs must be a list of CIDRs" }).min(1, { error: "an egress IP pool needs at least one CIDR" }),
      exclude: z.array(ZIpOrCidr).optional(),
      gatewayNodeSelector: selectorField().optional(),
      description: z.string().max(256, { error: "description is at most 256 characters" }).optional(),
    })
    .superRefine((spec, ctx) => {
      const pools: Cidr[] = [];
      for (const [i, c] of spec.cidrs.entries()) {
        try {
          const parsed = parseCidr(c, { strict: true });
          // Egress IPs are IPv4, as in Calico's egress gateways (reference §6).
          if (parsed.family !== 4) {
            ctx.addIssue({ code: "custom", message: `egress IP pools are IPv4 only: "${c}" is IPv6`, path: ["cidrs", i] });
            continue;
          }
          pools.push(parsed);
        } catch {
          return;
        }
      }
      spec.exclude?.forEach((e, i) => {
        let ex: Cidr;
        try {
          ex = parseCidr(e, { strict: false });
        } catch {
          return;
        }
        if (!pools.some((p) => cidrContains(p, ex))) {
          ctx.addIssue({ code: "custom", message: `exclude "${e}" is not inside any of the pool's cidrs`, path: ["exclude", i] });
        }
      });
    }),
});
export type TEgressIPPool = z.output<typeof ZEgressIPPool>;

export const ZEgressDestinations = z
  .strictObject({
    nets: z.array(ZStrictCidr).optional(),
    networkSetSelector: selectorField().optional(),
  })
  .superRefine((d, ctx) => {
    if ((d.nets?.length ?? 0) === 0 && d.networkSetSelector === undefined) {
      ctx.addIssue({ code: "custom", message: "destinations needs nets and/or networkSetSelector (omit destinations for all traffic leaving the cluster)" });
    }
  });

export const ZEgressAssignment = z.strictObject({
  apiVersion: z.literal(PORTCULLIS_API_VERSION),
  kind: z.literal("EgressAssignment"),
  metadata: makeMetadata({ kind: "EgressAssignment", namespaced: true, nameFormat: "dns-subdomain" }),
  spec: z.strictObject({
    pool: z.string({ error: "pool (the EgressIPPool name) is required" }).superRefine((p, ctx) => {
      const problem = nameProblem(p, "dns-subdomain");
      if (problem) ctx.addIssue({ code: "custom", message: `pool: ${problem}` });
    }),
    ip: z
      .string()
      .superRefine((s, ctx) => {
        try {
          if (parseIp(s).family !== 4) ctx.addIssue({ code: "custom", message: `egress IPs are IPv4 only: "${s}" is IPv6` });
        } catch (err) {
          ctx.addIssue({ code: "custom", message: `ip "${s}" must be a single IP address: ${(err as Error).message}` });
        }
      })
      .optional(),
    podSelector: selectorField().optional(),
    destinations: ZEgressDestinations.optional(),
    description: z.string().max(256, { error: "description is at most 256 characters" }).optional(),
  }),
});
export type TEgressAssignment = z.output<typeof ZEgressAssignment>;
