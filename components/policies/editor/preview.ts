/**
 * Live selector preview in the browser: which pods (and network sets) a selector field of the
 * edited policy matches, scoped exactly as Calico scopes it. The scoping is the policy engine's
 * (server/policy/effective.ts: endpoint labels, policy and rule effective selectors); this module
 * only builds the indexes once per inventory load and asks them.
 */
import {
  endpointLabelsForNetworkSet,
  endpointLabelsForPod,
  entitySelectorsFor,
  LABEL_NAME,
  LABEL_NAMESPACE,
  LABEL_ORCHESTRATOR,
  LABEL_SERVICE_ACCOUNT,
  NAMESPACE_LABEL_PREFIX,
  namespaceProfileLabels,
  policySelectorFor,
  ruleNamespaceSelector,
  type EntityRuleLike,
  type NamespaceLike,
  type PolicyLike,
} from "@/server/policy/effective";
import { SelectorIndex } from "@/server/policy/selector-index";
import { SelectorSyntaxError, type Labels, type Selector } from "@/server/policy/selector/index";
import { asString, getIn, isRecord, type Direction, type Doc, type Side } from "./document";

/** `GET /api/v1/clusters/{cluster}/inventory`. */
export interface InventorySnapshot {
  cluster: string;
  namespaces: Array<{ name: string; labels: Record<string, string> }>;
  /** [namespace, name, labels, serviceAccount, nodeName, podIPs] */
  pods: Array<[string, string, Record<string, string>, string, string, string[]]>;
}

export interface NetworkSetInfo {
  kind: "NetworkSet" | "GlobalNetworkSet";
  namespace: string | null;
  name: string;
  /** The set's own labels (what a rule selects it by). */
  labels: Record<string, string>;
  /** Where the editor learned about it. */
  origin: "published" | "draft";
}

export function networkSetId(s: Pick<NetworkSetInfo, "kind" | "namespace" | "name">): string {
  return s.kind === "GlobalNetworkSet" ? `global/${s.name}` : `${s.namespace ?? "default"}/${s.name}`;
}

export interface Matches {
  count: number;
  /** The first matches, in inventory order (ids: "namespace/name", or "global/name" for global sets). */
  sample: string[];
}

/** Label keys and values seen in the inventory, most frequent first. */
export interface Vocabulary {
  keys: Array<{ key: string; count: number }>;
  values: Map<string, Array<{ value: string; count: number }>>;
}

export type VocabularyKind = "endpoint" | "namespace" | "serviceAccount";

class VocabularyBuilder {
  private readonly counts = new Map<string, Map<string, number>>();
  add(key: string, value: string, n = 1): void {
    let m = this.counts.get(key);
    if (!m) this.counts.set(key, (m = new Map()));
    m.set(value, (m.get(value) ?? 0) + n);
  }
  addAll(labels: Readonly<Record<string, string>>, prefix = ""): void {
    for (const k of Object.keys(labels)) {
      const v = labels[k];
      if (typeof v === "string") this.add(prefix + k, v);
    }
  }
  build(): Vocabulary {
    const keys: Vocabulary["keys"] = [];
    const values: Vocabulary["values"] = new Map();
    for (const [key, m] of this.counts) {
      let total = 0;
      const vs: Array<{ value: string; count: number }> = [];
      for (const [value, count] of m) {
        total += count;
        vs.push({ value, count });
      }
      vs.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
      values.set(key, vs);
      keys.push({ key, count: total });
    }
    keys.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
    return { keys, values };
  }
}

const SAMPLE = 50;
const CACHE_LIMIT = 500;

class MatchCache {
  private readonly map = new Map<string, Matches>();
  get(sel: Selector, compute: () => Matches): Matches {
    const key = sel.toString();
    let hit = this.map.get(key);
    if (!hit) {
      hit = compute();
      if (this.map.size >= CACHE_LIMIT) this.map.clear();
      this.map.set(key, hit);
    }
    return hit;
  }
}

function firstMatches(index: SelectorIndex, sel: Selector): Matches {
  const ids = index.query(sel);
  return { count: ids.length, sample: ids.slice(0, SAMPLE) };
}

/**
 * Pods and namespaces of an inventory snapshot: a SelectorIndex over pod endpoint labels (built
 * once per inventory load, the heavy part), namespace profile labels and label vocabularies.
 */
export class PodInventory {
  readonly count: number;
  readonly index = new SelectorIndex();
  readonly namespaces: ReadonlyArray<{ name: string; labels: Labels }>;
  readonly nsByName: ReadonlyMap<string, NamespaceLike>;
  readonly vocabulary: Record<VocabularyKind, Vocabulary>;
  private readonly podCache = new MatchCache();
  private readonly nsCache = new MatchCache();

  constructor(snapshot: InventorySnapshot) {
    const nsByName = new Map<string, NamespaceLike>(snapshot.namespaces.map((n) => [n.name, { metadata: { name: n.name, labels: n.labels } }]));
    const endpoint = new VocabularyBuilder();
    const namespace = new VocabularyBuilder();
    const serviceAccount = new VocabularyBuilder();
    for (const [ns, name, labels, sa] of snapshot.pods) {
      const pod = { metadata: { name, namespace: ns, labels }, spec: { serviceAccountName: sa || undefined } };
      this.index.upsert({ id: `${ns}/${name}`, labels: endpointLabelsForPod(pod, nsByName.get(ns) ?? null) });
      endpoint.addAll(labels);
      endpoint.add(LABEL_NAMESPACE, ns);
      if (sa) {
        endpoint.add(LABEL_SERVICE_ACCOUNT, sa);
        serviceAccount.add(LABEL_NAME, sa);
      }
    }
    if (snapshot.pods.length) endpoint.add(LABEL_ORCHESTRATOR, "k8s", snapshot.pods.length);
    this.count = snapshot.pods.length;
    const namespaces: Array<{ name: string; labels: Labels }> = [];
    for (const n of snapshot.namespaces) {
      namespaces.push({ name: n.name, labels: { ...namespaceProfileLabels(n.name, nsByName.get(n.name)), [LABEL_NAMESPACE]: n.name } });
      namespace.addAll(n.labels);
      namespace.add(LABEL_NAME, n.name);
      endpoint.addAll(n.labels, NAMESPACE_LABEL_PREFIX);
      endpoint.add(NAMESPACE_LABEL_PREFIX + LABEL_NAME, n.name);
    }
    this.namespaces = namespaces;
    this.nsByName = nsByName;
    this.vocabulary = { endpoint: endpoint.build(), namespace: namespace.build(), serviceAccount: serviceAccount.build() };
  }

  matchPods(sel: Selector): Matches {
    return this.podCache.get(sel, () => firstMatches(this.index, sel));
  }

  /** Namespaces an effective (pcns.-prefixed) namespace selector matches. */
  matchNamespaces(sel: Selector): Matches {
    return this.nsCache.get(sel, () => {
      const names = this.namespaces.filter((n) => sel.matches(n.labels)).map((n) => n.name);
      return { count: names.length, sample: names.slice(0, SAMPLE) };
    });
  }
}

/** Network sets as rule selectors see them (namespaced sets inherit their namespace's labels). */
export class SetInventory {
  readonly index = new SelectorIndex();
  readonly byId: ReadonlyMap<string, NetworkSetInfo>;
  readonly vocabulary: Vocabulary;
  private readonly cache = new MatchCache();

  constructor(
    readonly networkSets: readonly NetworkSetInfo[],
    nsByName: ReadonlyMap<string, NamespaceLike> = new Map(),
  ) {
    const vocab = new VocabularyBuilder();
    for (const s of networkSets) {
      const ns = s.namespace ?? undefined;
      const labels = endpointLabelsForNetworkSet({ kind: s.kind, metadata: { name: s.name, namespace: ns, labels: s.labels } }, ns ? (nsByName.get(ns) ?? null) : null);
      this.index.upsert({ id: networkSetId(s), labels });
      vocab.addAll(s.labels);
    }
    this.byId = new Map(networkSets.map((s) => [networkSetId(s), s]));
    this.vocabulary = vocab.build();
  }

  matchSets(sel: Selector): Matches {
    return this.cache.get(sel, () => firstMatches(this.index, sel));
  }
}

function mergeVocabulary(a: Vocabulary, b: Vocabulary): Vocabulary {
  if (b.keys.length === 0) return a;
  const builder = new VocabularyBuilder();
  for (const v of [a, b]) for (const [key, values] of v.values) for (const { value, count } of values) builder.add(key, value, count);
  return builder.build();
}

/** What the preview asks: pods (heavy, built once per inventory load) and network sets (light). */
export class InventoryModel {
  readonly vocabulary: Record<VocabularyKind, Vocabulary>;
  constructor(
    readonly pods: PodInventory,
    readonly sets: SetInventory,
  ) {
    this.vocabulary = { ...pods.vocabulary, endpoint: mergeVocabulary(pods.vocabulary.endpoint, sets.vocabulary) };
  }

  static build(snapshot: InventorySnapshot, networkSets: readonly NetworkSetInfo[]): InventoryModel {
    const pods = new PodInventory(snapshot);
    return new InventoryModel(pods, new SetInventory(networkSets, pods.nsByName));
  }

  matchPods(sel: Selector): Matches {
    return this.pods.matchPods(sel);
  }
  matchSets(sel: Selector): Matches {
    return this.sets.matchSets(sel);
  }
  matchNamespaces(sel: Selector): Matches {
    return this.pods.matchNamespaces(sel);
  }
}

// ---------------------------------------------------------------------------
// Which preview a field shows

export type PolicyField = "selector" | "namespaceSelector" | "serviceAccountSelector";
export type EntityField = "selector" | "notSelector" | "namespaceSelector" | "serviceAccounts.selector";

export type FieldRef =
  | { scope: "policy"; field: PolicyField }
  | { scope: "rule"; direction: Direction; index: number; side: Side; field: EntityField };

export type Preview =
  | {
      status: "ok";
      /** What the matches mean for this field. */
      mode: "applies-to" | "peers" | "excludes";
      pods: Matches;
      sets: Matches | null;
      namespaces: Matches | null;
      /** Extra explanation of the scope (namespace restriction, global(), ...). */
      note: string | null;
    }
  | { status: "any"; note: string }
  | { status: "blocked"; note: string };

/** The parts of the document the preview depends on, as the engine's structural inputs. */
export function policyLike(doc: Doc): PolicyLike {
  const spec = isRecord(doc.spec) ? doc.spec : {};
  const kind = typeof doc.kind === "string" ? doc.kind : "NetworkPolicy";
  return {
    kind,
    metadata: {
      name: asString(getIn(doc, ["metadata", "name"])) ?? "",
      namespace: kind === "NetworkPolicy" ? asString(getIn(doc, ["metadata", "namespace"])) || "default" : undefined,
    },
    spec: {
      selector: asString(spec.selector),
      serviceAccountSelector: asString(spec.serviceAccountSelector),
      namespaceSelector: kind === "GlobalNetworkPolicy" ? asString(spec.namespaceSelector) : undefined,
    },
  };
}

export function entityLike(value: unknown): EntityRuleLike | undefined {
  if (!isRecord(value)) return undefined;
  const sa = isRecord(value.serviceAccounts) ? value.serviceAccounts : undefined;
  return {
    selector: asString(value.selector),
    notSelector: asString(value.notSelector),
    namespaceSelector: asString(value.namespaceSelector),
    serviceAccounts: sa
      ? {
          names: Array.isArray(sa.names) ? sa.names.filter((n): n is string => typeof n === "string") : undefined,
          selector: asString(sa.selector),
        }
      : undefined,
  };
}

function blocked(err: unknown, where: string): Preview {
  if (err instanceof SelectorSyntaxError) return { status: "blocked", note: `Preview paused: another selector of ${where} is invalid.` };
  throw err;
}

/**
 * The preview of one selector field, given the whole document (the other fields of the policy or
 * rule change what a field means). The field's own syntax is checked by the caller first.
 */
export function previewFor(model: InventoryModel, policy: PolicyLike, entity: EntityRuleLike | undefined, ref: FieldRef): Preview {
  const namespaced = policy.kind === "NetworkPolicy";
  const nsName = policy.metadata.namespace ?? "default";
  if (ref.scope === "policy") {
    let sel: Selector;
    try {
      sel = policySelectorFor(policy);
    } catch (err) {
      return blocked(err, "this policy");
    }
    let namespaces: Matches | null = null;
    if (ref.field === "namespaceSelector" && policy.spec.namespaceSelector?.trim()) {
      try {
        namespaces = model.matchNamespaces(ruleNamespaceSelector(policy.spec.namespaceSelector));
      } catch (err) {
        return blocked(err, "this policy");
      }
    }
    return {
      status: "ok",
      mode: "applies-to",
      pods: model.matchPods(sel),
      sets: null,
      namespaces,
      note: namespaced ? `A NetworkPolicy selects pods in its own namespace (${nsName}) only.` : null,
    };
  }

  let effective;
  try {
    effective = entitySelectorsFor(policy, entity);
  } catch (err) {
    return blocked(err, "this rule");
  }
  let namespaces: Matches | null = null;
  let note: string | null = null;
  const nsText = entity?.namespaceSelector?.trim() ? entity.namespaceSelector : undefined;
  if (nsText !== undefined) {
    try {
      const nsSel = ruleNamespaceSelector(nsText);
      if (nsSel.toString() === `!has(${LABEL_NAMESPACE})`) note = "global(): only GlobalNetworkSets and host endpoints, no pods.";
      else if (ref.field === "namespaceSelector") namespaces = model.matchNamespaces(nsSel);
    } catch (err) {
      return blocked(err, "this rule");
    }
  } else if (namespaced && effective.selector) {
    note = `Without a namespace selector, a NetworkPolicy rule matches pods and network sets in ${nsName} only.`;
  } else if (!namespaced && effective.selector) {
    note = "A GlobalNetworkPolicy rule without a namespace selector matches pods in every namespace and every network set.";
  }

  if (ref.field === "notSelector") {
    if (!effective.notSelector) return { status: "any", note: "No exclusion." };
    return {
      status: "ok",
      mode: "excludes",
      pods: model.matchPods(effective.notSelector),
      sets: model.matchSets(effective.notSelector),
      namespaces: null,
      note: "A notSelector is used as written: it excludes matches in every namespace.",
    };
  }
  if (!effective.selector) return { status: "any", note: "No selector: any address matches (inside or outside the cluster)." };
  return { status: "ok", mode: "peers", pods: model.matchPods(effective.selector), sets: model.matchSets(effective.selector), namespaces, note };
}
