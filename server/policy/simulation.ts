import { z } from "zod";

/** Input of the policy tester: one flow, as the console's API and form take it. */
const ZPodRef = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: "give the pod as namespace/name" });
const ZIpText = z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" });

export const ZSimulateFlow = z.strictObject({
  source: z.union([z.strictObject({ pod: ZPodRef }), z.strictObject({ ip: ZIpText })], { error: "source needs a pod (namespace/name) or an ip" }),
  destination: z.union(
    [z.strictObject({ pod: ZPodRef }), z.strictObject({ ip: ZIpText, domain: z.string().trim().toLowerCase().min(1).max(253).optional() })],
    { error: "destination needs a pod (namespace/name), or an ip (with the domain it was resolved from, for DNS rules)" },
  ),
  protocol: z.enum(["TCP", "UDP", "SCTP", "ICMP", "ICMPv6"], { error: "protocol must be TCP, UDP, SCTP, ICMP or ICMPv6" }),
  port: z.number().int().min(1).max(65535).optional(),
  /** Evaluate against the state with this open change request's changes applied (e.g. the user's draft). */
  changeRequest: z.uuid({ error: "changeRequest must be a change request id (UUID)" }).optional(),
});
export type TSimulateFlow = z.infer<typeof ZSimulateFlow>;
