import { z } from "zod";

/** Inputs of the agent-facing API and the admin's cluster/agent management. */
const ZLabels = z.record(z.string().max(317), z.string().max(63));
const ZName = z.string().min(1).max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: "must be a Kubernetes object name" });

export const ZCreateCluster = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "use 1-63 characters: a-z, 0-9 and '-', starting and ending with a letter or digit" }),
  displayName: z.string().trim().min(1, { error: "enter a display name" }).max(120),
  description: z.string().max(2000).optional(),
});

export const ZCreateBootstrapToken = z.strictObject({
  /** One-time tokens register exactly one agent; reusable ones register any number until expiry. */
  oneTime: z.boolean().default(true),
  expiresInHours: z.number().int().min(1).max(24 * 30).default(24),
});

export const ZRegisterAgent = z.strictObject({
  cluster: z.string().min(1).max(63),
  nodeName: ZName,
  version: z.string().max(64).default(""),
});

export const ZAgentStatus = z.strictObject({
  version: z.string().max(64).optional(),
  appliedRevision: z.number().int().min(0).nullable(),
  bundleSha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  lastError: z.string().max(4000).nullable(),
  rules: z.number().int().min(0).optional(),
  sets: z.number().int().min(0).optional(),
  setElements: z.number().int().min(0).optional(),
  /** Packet counters per policy chain ("<Kind> [ns/]name <direction>"). */
  counters: z.record(z.string().max(300), z.number().int().min(0)).refine((c) => Object.keys(c).length <= 5000, { error: "at most 5000 counters" }).optional(),
  dns: z.record(z.string(), z.unknown()).optional(),
  egress: z.record(z.string(), z.unknown()).optional(),
});

export const ZAgentInventory = z.strictObject({
  namespaces: z.array(z.strictObject({ name: ZName, labels: ZLabels.default({}) })).max(20_000),
  /** Pods scheduled on the reporting agent's node. */
  pods: z
    .array(
      z.strictObject({
        namespace: ZName,
        name: ZName,
        labels: ZLabels.default({}),
        serviceAccount: z.string().max(253).default("default"),
        podIps: z.array(z.string().max(45)).max(8).default([]),
        ports: z.array(z.strictObject({ name: z.string().max(15), port: z.number().int().min(1).max(65535), protocol: z.enum(["TCP", "UDP", "SCTP"]) })).max(200).default([]),
        phase: z.string().max(32).default("Running"),
      }),
    )
    .max(5_000),
});

export const ZBundleQuery = z.strictObject({
  cluster: z.string().min(1).max(63),
  after: z.coerce.number().int().min(0).default(0),
  /** Seconds to hold the request open when nothing newer exists (long-poll). */
  wait: z.coerce.number().int().min(0).max(60).default(25),
});

export type TAgentStatus = z.infer<typeof ZAgentStatus>;
export type TAgentInventory = z.infer<typeof ZAgentInventory>;
