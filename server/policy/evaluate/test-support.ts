/**
 * Small builders for evaluation tests: resources from YAML, pods and
 * namespaces from one-liners, and a flow helper.
 */
import { parseResourcesYaml } from "../yaml";
import { compileSnapshot, type CompiledSnapshot } from "./compile";
import { evaluateCompiled } from "./engine";
import type { Flow, FlowResult, PodInput } from "./types";

export interface PodSpec {
  labels?: Record<string, string>;
  ip?: string | string[];
  sa?: string;
  ports?: { name: string; port: number; protocol?: string }[];
}

/** `pod("ns/name", { labels, ip, sa, ports })` */
export function pod(key: string, spec: PodSpec = {}): PodInput {
  const [namespace, name] = key.split("/") as [string, string];
  const ips = spec.ip === undefined ? [] : Array.isArray(spec.ip) ? spec.ip : [spec.ip];
  return {
    metadata: { name, namespace, labels: spec.labels ?? {} },
    spec: {
      ...(spec.sa ? { serviceAccountName: spec.sa } : {}),
      containers: [{ name: "c", ports: (spec.ports ?? []).map((p) => ({ name: p.name, containerPort: p.port, ...(p.protocol ? { protocol: p.protocol } : {}) })) }],
    },
    status: { podIPs: ips.map((ip) => ({ ip })) },
  };
}

export function namespace(name: string, labels: Record<string, string> = {}) {
  return { metadata: { name, labels } };
}

/** Compiles resources given as YAML plus pods and namespaces. Throws on invalid YAML. */
export function world(yamlText: string, pods: PodInput[], namespaces: ReturnType<typeof namespace>[] = []): CompiledSnapshot {
  const r = parseResourcesYaml(yamlText);
  if (r.issues.length) throw new Error(r.issues.map((i) => `${i.line}: ${i.path}: ${i.message}`).join("\n"));
  return compileSnapshot({ resources: r.resources, pods, namespaces });
}

type Peer = string; // "ns/name" or an IP

function peer(p: Peer) {
  return /^[0-9.]+$|:/.test(p) ? { ip: p } : { pod: p };
}

/** `flow(w, "ns/a", "ns/b", "TCP", 80, { domain })` */
export function flow(w: CompiledSnapshot, from: Peer, to: Peer, protocol: string | number = "TCP", port?: number, extra: Partial<Flow> & { domain?: string } = {}): FlowResult {
  const { domain, ...rest } = extra;
  return evaluateCompiled(w, {
    source: peer(from),
    destination: { ...peer(to), ...(domain ? { domain } : {}) },
    protocol,
    ...(port !== undefined ? { port } : {}),
    ...rest,
  } as Flow);
}
