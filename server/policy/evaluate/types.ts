/**
 * Public types of flow evaluation: snapshot, flow and result.
 */
import type { NamespaceLike, ServiceAccountLike } from "../effective";
import type { TResource } from "../resources/index";

/** A pod as the evaluator needs it (Kubernetes v1 Pod shape; extra fields are ignored). */
export interface PodInput {
  metadata: { name: string; namespace?: string | undefined; labels?: Readonly<Record<string, string>> | undefined };
  spec?:
    | {
        serviceAccountName?: string | undefined;
        nodeName?: string | undefined;
        containers?:
          | readonly {
              name?: string | undefined;
              ports?: readonly { name?: string | undefined; containerPort: number; protocol?: string | undefined }[] | undefined;
            }[]
          | undefined;
      }
    | undefined;
  status?: { podIP?: string | undefined; podIPs?: readonly { ip: string }[] | undefined } | undefined;
}

/** Everything a flow is evaluated against. */
export interface Snapshot {
  resources: readonly TResource[];
  namespaces?: readonly NamespaceLike[];
  pods?: readonly PodInput[];
  serviceAccounts?: readonly ServiceAccountLike[];
}

/** `{ pod: "ns/name" }` or `{ ip: "10.0.0.1" }`. An IP that belongs to a known pod is that pod. */
export type FlowPeer = { pod: string; ip?: undefined } | { ip: string; pod?: undefined };

export interface Flow {
  source: FlowPeer;
  /** `domain`: the name the destination IP was learned for (DNS policy). */
  destination: FlowPeer & { domain?: string | undefined };
  /** Name (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite; any case) or IANA number. */
  protocol: string | number;
  /** Destination port (TCP/UDP/SCTP). */
  port?: number | undefined;
  /** Source port, when known; rules with `source.ports` never match a flow without one. */
  sourcePort?: number | undefined;
  icmp?: { type: number; code?: number | undefined } | undefined;
}

export type Verdict = "Allow" | "Deny";
export type Direction = "ingress" | "egress";

export interface PolicyRef {
  kind: "NetworkPolicy" | "GlobalNetworkPolicy" | "StagedNetworkPolicy" | "StagedGlobalNetworkPolicy";
  name: string;
  namespace?: string;
  tier: string;
}

/** One step of a direction's evaluation, in order. `message` is a readable sentence. */
export type TraceStep =
  | {
      kind: "rule";
      tier: string;
      policy: PolicyRef;
      ruleIndex: number;
      action: "Allow" | "Deny" | "Pass" | "Log";
      message: string;
      detail?: string;
    }
  | { kind: "end-of-tier"; tier: string; action: "Deny" | "Pass"; message: string }
  | { kind: "no-policy"; message: string }
  | { kind: "profile"; message: string }
  | { kind: "staged"; verdict: Verdict; message: string }
  | { kind: "not-evaluated"; message: string };

export interface StagedPreview {
  /** Verdict with staged policies applied (§3.3 simulation). */
  verdict: Verdict;
  decidedBy: TraceStep;
  trace: TraceStep[];
  /** The staged policies that take part for this endpoint and direction. */
  policies: PolicyRef[];
  changed: boolean;
}

export interface DirectionResult {
  /** "ns/name" of the pod whose policies were evaluated. */
  endpoint: string;
  verdict: Verdict;
  /** The step that decided the verdict (also the last enforcing step of `trace`). */
  decidedBy: TraceStep;
  trace: TraceStep[];
  /** Present when staged policies apply to this endpoint in this direction. */
  staged?: StagedPreview;
}

export interface PeerSummary {
  ip?: string;
  pod?: string;
  domain?: string;
  /** Network sets containing the IP ("GlobalNetworkSet name" / "NetworkSet ns/name"). */
  networkSets?: string[];
  external: boolean;
}

export interface FlowResult {
  action: Verdict;
  /** Source pod's egress; null when the source is not a known pod. */
  egress: DirectionResult | null;
  /** Destination pod's ingress; null when the destination is not a known pod. */
  ingress: DirectionResult | null;
  /** The action once staged policies are applied, when any staged policy takes part. */
  stagedAction?: Verdict;
  source: PeerSummary;
  destination: PeerSummary;
  protocol: number;
  port?: number;
  ipFamily: 4 | 6;
}

export class FlowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FlowError";
  }
}
