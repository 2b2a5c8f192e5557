/**
 * Kubernetes objects Portcullis reads: v1 Namespace, Pod and ServiceAccount
 * (for flow simulation snapshots) and networking.k8s.io/v1 NetworkPolicy
 * (accepted on import and converted to the Calico model like Calico's
 * `K8sNetworkPolicyToCalico`).
 */
import { z } from "zod";
import { parseCidr } from "../cidr";
import { CALICO_API_VERSION, isDnsLabel, makeMetadata, ZAnnotations, ZLabels } from "./common";
import { ZLooseCidr, type TRule } from "./rule";
import type { TNetworkPolicy, TPolicyType } from "./policy";

// ---------------------------------------------------------------------------
// Core v1 objects (loose: real `kubectl get -o yaml` output carries many more fields).

const ZK8sMeta = z.looseObject({
  name: z.string({ error: "metadata.name is required" }).min(1, { error: "metadata.name is required" }),
  namespace: z.string().optional(),
  labels: ZLabels.optional(),
  annotations: ZAnnotations.optional(),
});

export const ZK8sNamespace = z.looseObject({
  apiVersion: z.literal("v1"),
  kind: z.literal("Namespace"),
  metadata: ZK8sMeta.superRefine((m, ctx) => {
    if (!isDnsLabel(m.name)) ctx.addIssue({ code: "custom", message: `namespace name "${m.name}" must be a DNS label`, path: ["name"] });
  }),
});
export type TK8sNamespace = z.output<typeof ZK8sNamespace>;

export const ZK8sServiceAccount = z.looseObject({
  apiVersion: z.literal("v1"),
  kind: z.literal("ServiceAccount"),
  metadata: ZK8sMeta,
});
export type TK8sServiceAccount = z.output<typeof ZK8sServiceAccount>;

export const ZContainerPort = z.looseObject({
  name: z.string().optional(),
  containerPort: z.int().min(1).max(65535),
  protocol: z.enum(["TCP", "UDP", "SCTP"]).optional(),
});

export const ZK8sPod = z.looseObject({
  apiVersion: z.literal("v1"),
  kind: z.literal("Pod"),
  metadata: ZK8sMeta,
  spec: z
    .looseObject({
      serviceAccountName: z.string().optional(),
      nodeName: z.string().optional(),
      hostNetwork: z.boolean().optional(),
      containers: z
        .array(z.looseObject({ name: z.string().optional(), ports: z.array(ZContainerPort).optional() }))
        .optional(),
    })
    .prefault({}),
  status: z
    .looseObject({
      podIP: z.string().optional(),
      podIPs: z.array(z.looseObject({ ip: z.string() })).optional(),
    })
    .optional(),
});
export type TK8sPod = z.output<typeof ZK8sPod>;

// ---------------------------------------------------------------------------
// networking.k8s.io/v1 NetworkPolicy

const ZLabelSelectorRequirement = z.strictObject({
  key: z.string().min(1),
  operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"], { error: "operator must be In, NotIn, Exists or DoesNotExist" }),
  values: z.array(z.string()).optional(),
}).superRefine((r, ctx) => {
  const n = r.values?.length ?? 0;
  if ((r.operator === "In" || r.operator === "NotIn") && n === 0) {
    ctx.addIssue({ code: "custom", message: `operator ${r.operator} needs at least one value`, path: ["values"] });
  }
  if ((r.operator === "Exists" || r.operator === "DoesNotExist") && n > 0) {
    ctx.addIssue({ code: "custom", message: `operator ${r.operator} takes no values`, path: ["values"] });
  }
});

export const ZK8sLabelSelector = z.strictObject({
  matchLabels: ZLabels.optional(),
  matchExpressions: z.array(ZLabelSelectorRequirement).optional(),
});
export type TK8sLabelSelector = z.output<typeof ZK8sLabelSelector>;

const ZK8sPeer = z
  .strictObject({
    podSelector: ZK8sLabelSelector.optional(),
    namespaceSelector: ZK8sLabelSelector.optional(),
    ipBlock: z.strictObject({ cidr: ZLooseCidr, except: z.array(ZLooseCidr).optional() }).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.ipBlock && (p.podSelector || p.namespaceSelector)) {
      ctx.addIssue({ code: "custom", message: "ipBlock cannot be combined with podSelector or namespaceSelector", path: ["ipBlock"] });
    }
    if (!p.ipBlock && !p.podSelector && !p.namespaceSelector) {
      ctx.addIssue({ code: "custom", message: "a peer needs podSelector, namespaceSelector or ipBlock" });
    }
  });

const ZK8sPort = z
  .strictObject({
    protocol: z.enum(["TCP", "UDP", "SCTP"], { error: "protocol must be TCP, UDP or SCTP" }).optional(),
    port: z.union([z.int().min(1).max(65535), z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(15)], {
      error: "port must be a number 1-65535 or an IANA port name",
    }).optional(),
    endPort: z.int().min(1).max(65535).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.endPort !== undefined) {
      if (typeof p.port !== "number") ctx.addIssue({ code: "custom", message: "endPort needs a numeric port", path: ["endPort"] });
      else if (p.endPort < p.port) ctx.addIssue({ code: "custom", message: "endPort must not be less than port", path: ["endPort"] });
    }
  });

const ZK8sIngressRule = z.strictObject({ from: z.array(ZK8sPeer).optional(), ports: z.array(ZK8sPort).optional() });
const ZK8sEgressRule = z.strictObject({ to: z.array(ZK8sPeer).optional(), ports: z.array(ZK8sPort).optional() });

export const ZK8sNetworkPolicy = z.strictObject({
  apiVersion: z.literal("networking.k8s.io/v1"),
  kind: z.literal("NetworkPolicy"),
  metadata: makeMetadata({ kind: "NetworkPolicy", namespaced: true, nameFormat: "dns-subdomain" }),
  spec: z.strictObject({
    podSelector: ZK8sLabelSelector.prefault({}),
    policyTypes: z.array(z.enum(["Ingress", "Egress"])).optional(),
    ingress: z.array(ZK8sIngressRule).optional(),
    egress: z.array(ZK8sEgressRule).optional(),
  }),
  status: z.unknown().optional(),
});
export type TK8sNetworkPolicy = z.output<typeof ZK8sNetworkPolicy>;

type SelectorKind = "pod" | "namespace";

/** Calico's conversion single-quotes values; label values never contain quotes. */
function sq(v: string): string {
  return v.includes("'") ? `"${v}"` : `'${v}'`;
}

/** Kubernetes label selector → Calico selector text, exactly as Calico's `k8sSelectorToCalico`. */
export function k8sSelectorToCalico(s: TK8sLabelSelector | undefined, kind: SelectorKind): string {
  const parts: string[] = [];
  if (kind === "pod") parts.push("projectcalico.org/orchestrator == 'k8s'");
  if (!s) return parts.join(" && ");
  const labels = s.matchLabels ?? {};
  const exprs = s.matchExpressions ?? [];
  if (kind === "namespace" && Object.keys(labels).length === 0 && exprs.length === 0) return "all()";
  for (const k of Object.keys(labels).sort()) parts.push(`${k} == ${sq(labels[k]!)}`);
  for (const e of exprs) {
    const values = (e.values ?? []).map(sq).join(", ");
    switch (e.operator) {
      case "In":
        parts.push(`${e.key} in { ${values} }`);
        break;
      case "NotIn":
        parts.push(`${e.key} not in { ${values} }`);
        break;
      case "Exists":
        parts.push(`has(${e.key})`);
        break;
      case "DoesNotExist":
        parts.push(`! has(${e.key})`);
        break;
    }
  }
  return parts.join(" && ");
}

type PortItem = number | string;

/** Calico's SimplifyPorts: named ports first, then numeric ranges sorted and merged. */
export function simplifyPorts(ports: PortItem[]): PortItem[] {
  if (ports.length <= 1) return ports;
  const named: PortItem[] = [];
  const ranges: [number, number][] = [];
  for (const p of ports) {
    if (typeof p === "number") ranges.push([p, p]);
    else {
      const m = /^(\d+):(\d+)$/.exec(p);
      if (m) ranges.push([Number(m[1]), Number(m[2])]);
      else named.push(p);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return [...named, ...merged.map(([a, b]) => (a === b ? a : `${a}:${b}`))];
}

type K8sPeer = z.output<typeof ZK8sPeer>;
type K8sPort = z.output<typeof ZK8sPort>;

function maskCidr(text: string): string {
  return parseCidr(text, { strict: false }).text;
}

function peerFields(peer: K8sPeer | null): { selector?: string; namespaceSelector?: string; nets?: string[]; notNets?: string[] } {
  if (!peer) return {};
  if (peer.ipBlock) {
    const except = (peer.ipBlock.except ?? []).map(maskCidr);
    return { nets: [maskCidr(peer.ipBlock.cidr)], ...(except.length ? { notNets: except } : {}) };
  }
  const selector = k8sSelectorToCalico(peer.podSelector, "pod");
  const namespaceSelector = k8sSelectorToCalico(peer.namespaceSelector, "namespace");
  return { selector, ...(namespaceSelector ? { namespaceSelector } : {}) };
}

function convertRule(peers: K8sPeer[] | undefined, ports: K8sPort[] | undefined, ingress: boolean): TRule[] {
  const peerList: (K8sPeer | null)[] = peers && peers.length ? peers : [null];
  const portList: (K8sPort | null)[] = ports && ports.length ? ports : [null];
  // protocol ("" = any) → ports (null = all ports)
  let byProtocol = new Map<string, PortItem[] | null>();
  for (const port of portList) {
    if (!port || (port.port === undefined && port.protocol === undefined)) {
      byProtocol = new Map([["", null]]);
      break;
    }
    const proto = port.protocol ?? "TCP";
    let item: PortItem | null = null;
    if (port.port !== undefined) {
      item = typeof port.port === "number" && port.endPort !== undefined && port.endPort !== port.port ? `${port.port}:${port.endPort}` : port.port;
    }
    if (item === null) byProtocol.set(proto, null);
    else {
      const existing = byProtocol.get(proto);
      if (existing === undefined) byProtocol.set(proto, [item]);
      else if (existing !== null) existing.push(item);
    }
  }
  const rules: TRule[] = [];
  for (const proto of [...byProtocol.keys()].sort()) {
    const portsForProto = byProtocol.get(proto);
    const calicoPorts = portsForProto ? simplifyPorts(portsForProto) : undefined;
    for (const peer of peerList) {
      const fields = peerFields(peer);
      const rule: TRule = { action: "Allow" };
      if (proto) rule.protocol = proto as TRule["protocol"];
      if (ingress) {
        if (Object.keys(fields).length) rule.source = { ...fields };
        if (calicoPorts) rule.destination = { ports: calicoPorts };
      } else {
        const dest = { ...(calicoPorts ? { ports: calicoPorts } : {}), ...fields };
        if (Object.keys(dest).length) rule.destination = dest;
      }
      rules.push(rule);
    }
  }
  return rules;
}

/**
 * Converts a Kubernetes NetworkPolicy to the Calico NetworkPolicy Calico itself
 * would enforce: tier default, order 1000, name `knp.default.<name>`.
 */
export function k8sNetworkPolicyToCalico(knp: TK8sNetworkPolicy): TNetworkPolicy {
  const spec = knp.spec;
  const ingress = (spec.ingress ?? []).flatMap((r) => convertRule(r.from, r.ports, true));
  const egress = (spec.egress ?? []).flatMap((r) => convertRule(r.to, r.ports, false));
  let types: TPolicyType[] = [];
  for (const t of spec.policyTypes ?? []) if (!types.includes(t)) types.push(t);
  if (types.length === 0) {
    types = ["Ingress"];
    if ((spec.egress?.length ?? 0) > 0) types.push("Egress");
  }
  const metadata: TNetworkPolicy["metadata"] = { name: `knp.default.${knp.metadata.name}`, namespace: knp.metadata.namespace };
  if (knp.metadata.labels && Object.keys(knp.metadata.labels).length) metadata.labels = { ...knp.metadata.labels };
  if (knp.metadata.annotations && Object.keys(knp.metadata.annotations).length) metadata.annotations = { ...knp.metadata.annotations };
  return {
    apiVersion: CALICO_API_VERSION,
    kind: "NetworkPolicy",
    metadata,
    spec: {
      tier: "default",
      order: 1000,
      selector: k8sSelectorToCalico(spec.podSelector, "pod"),
      types,
      ...(ingress.length ? { ingress } : {}),
      ...(egress.length ? { egress } : {}),
    },
  };
}
