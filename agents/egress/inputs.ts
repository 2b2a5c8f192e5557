/**
 * The egress controller's inputs from what the agent already has: the verified bundle's
 * resources (parsed once per bundle; only the kinds egress needs are kept) and the pods of its
 * informer.
 */
import type { V1Pod } from "@kubernetes/client-node";
import type { TResource } from "../../server/policy/resources";
import { parseBundleResources } from "../compiler/compile";
import type { EgressInputs } from "./controller";
import type { EgressPod } from "./plan";

const EGRESS_KINDS = new Set(["EgressIPPool", "EgressAssignment", "GlobalNetworkSet", "NetworkSet"]);

let cache: { sha256: string; resources: TResource[] } | null = null;

export function egressResources(sha256: string, resources: readonly unknown[]): TResource[] {
  if (cache?.sha256 !== sha256) {
    const wanted = resources.filter((r) => EGRESS_KINDS.has(String((r as { kind?: unknown } | null)?.kind)));
    cache = { sha256, resources: parseBundleResources(wanted).resources };
  }
  return cache.resources;
}

export function egressPod(p: V1Pod): EgressPod | null {
  const namespace = p.metadata?.namespace;
  if (!namespace) return null;
  const ips = p.status?.podIPs?.map((x) => x.ip).filter((ip): ip is string => Boolean(ip)) ?? (p.status?.podIP ? [p.status.podIP] : []);
  return { namespace, labels: p.metadata?.labels ?? {}, ips, hostNetwork: p.spec?.hostNetwork, phase: p.status?.phase };
}

export function egressInputsFrom(sha256: string, resources: readonly unknown[], pods: readonly V1Pod[]): EgressInputs {
  return { resources: egressResources(sha256, resources), pods: pods.flatMap((p) => egressPod(p) ?? []) };
}
