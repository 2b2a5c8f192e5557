/**
 * Snapshots from YAML: resources plus Kubernetes v1 Namespace, Pod and
 * ServiceAccount documents in one multi-document file.
 */
import { issuesFromZod } from "../resources/common";
import { parseResource, type ParseResult, type TResource } from "../resources/index";
import { ZK8sNamespace, ZK8sPod, ZK8sServiceAccount, type TK8sNamespace, type TK8sPod, type TK8sServiceAccount } from "../resources/kubernetes";
import { parseYamlDocuments, YamlResourceError, type YamlIssue, type Located } from "../yaml";
import type { Snapshot } from "./types";

export type SnapshotItem =
  | { type: "resource"; resource: TResource }
  | { type: "namespace"; namespace: TK8sNamespace }
  | { type: "pod"; pod: TK8sPod }
  | { type: "serviceAccount"; serviceAccount: TK8sServiceAccount };

/** Validates one snapshot document: a resource, or a v1 Namespace / Pod / ServiceAccount. */
export function parseSnapshotItem(obj: unknown): ParseResult<SnapshotItem> {
  const o = obj as { apiVersion?: unknown; kind?: unknown } | null;
  if (o && typeof o === "object" && o.apiVersion === "v1") {
    const schema = o.kind === "Namespace" ? ZK8sNamespace : o.kind === "Pod" ? ZK8sPod : o.kind === "ServiceAccount" ? ZK8sServiceAccount : null;
    if (!schema) {
      return { ok: false, issues: [{ path: ["kind"], message: `unsupported v1 kind ${JSON.stringify(o.kind)}; expected Namespace, Pod or ServiceAccount` }] };
    }
    const r = schema.safeParse(obj);
    if (!r.success) return { ok: false, issues: issuesFromZod(r.error) };
    const v = r.data;
    if (v.kind === "Namespace") return { ok: true, value: { type: "namespace", namespace: v as TK8sNamespace } };
    if (v.kind === "Pod") return { ok: true, value: { type: "pod", pod: v as TK8sPod } };
    return { ok: true, value: { type: "serviceAccount", serviceAccount: v as TK8sServiceAccount } };
  }
  const r = parseResource(obj);
  return r.ok ? { ok: true, value: { type: "resource", resource: r.value } } : r;
}

export interface SnapshotParseResult {
  snapshot: Snapshot & { namespaces: TK8sNamespace[]; pods: TK8sPod[]; serviceAccounts: TK8sServiceAccount[] };
  items: Located<SnapshotItem>[];
  issues: YamlIssue[];
}

/** Parses a snapshot without throwing; `issues` lists every located problem. */
export function parseSnapshotYaml(text: string): SnapshotParseResult {
  const { items, issues } = parseYamlDocuments(text, parseSnapshotItem);
  return { snapshot: snapshotFromItems(items.map((i) => i.value)), items, issues };
}

export function snapshotFromItems(items: readonly SnapshotItem[]): SnapshotParseResult["snapshot"] {
  const snapshot: SnapshotParseResult["snapshot"] = { resources: [], namespaces: [], pods: [], serviceAccounts: [] };
  const resources: TResource[] = [];
  for (const it of items) {
    if (it.type === "resource") resources.push(it.resource);
    else if (it.type === "namespace") snapshot.namespaces.push(it.namespace);
    else if (it.type === "pod") snapshot.pods.push(it.pod);
    else snapshot.serviceAccounts.push(it.serviceAccount);
  }
  snapshot.resources = resources;
  return snapshot;
}

/** Parses one multi-document YAML file into a snapshot; throws YamlResourceError listing located issues. */
export function snapshotFromYaml(text: string, file?: string): SnapshotParseResult["snapshot"] {
  const r = parseSnapshotYaml(text);
  if (r.issues.length) throw new YamlResourceError(r.issues, file);
  return r.snapshot;
}
