/**
 * The effective-selector rules of reference §1.6, implemented once.
 *
 * - Endpoint labels: what a pod's WorkloadEndpoint or a network set carries
 *   once Calico has added its implicit labels and profile inheritance.
 * - Effective selectors: what each selector field of a policy or rule turns
 *   into once namespace / service-account scoping is applied.
 *
 * The console's live preview and the evaluator both use these functions, so a
 * selector means the same thing everywhere.
 */
import {
  andSelectors,
  parseSelector,
  prefixLabels,
  replaceAll,
  selectorEq,
  selectorHas,
  type Labels,
  type Selector,
} from "./selector/index";

export const LABEL_NAMESPACE = "projectcalico.org/namespace";
export const LABEL_ORCHESTRATOR = "projectcalico.org/orchestrator";
export const LABEL_SERVICE_ACCOUNT = "projectcalico.org/serviceaccount";
export const LABEL_NAME = "projectcalico.org/name";
export const NAMESPACE_LABEL_PREFIX = "pcns.";
export const SERVICE_ACCOUNT_LABEL_PREFIX = "pcsa.";
export const ORCHESTRATOR_K8S = "k8s";
/** Label the Kubernetes API server puts on every namespace. */
export const K8S_NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

// ---------------------------------------------------------------------------
// Structural inputs (any object with these fields will do: parsed resources,
// Kubernetes API objects, console view models).

export interface ObjectMetaLike {
  name: string;
  namespace?: string | undefined;
  labels?: Readonly<Record<string, string>> | undefined;
}
export interface NamespaceLike {
  metadata: ObjectMetaLike;
}
export interface ServiceAccountLike {
  metadata: ObjectMetaLike;
}
export interface PodLike {
  metadata: ObjectMetaLike;
  spec?: { serviceAccountName?: string | undefined } | undefined;
}
export interface NetworkSetLike {
  kind: "NetworkSet" | "GlobalNetworkSet" | string;
  metadata: ObjectMetaLike;
}
export interface PolicyLike {
  kind: "NetworkPolicy" | "GlobalNetworkPolicy" | "StagedNetworkPolicy" | "StagedGlobalNetworkPolicy" | string;
  metadata: { name: string; namespace?: string | undefined };
  spec: {
    selector?: string | undefined;
    serviceAccountSelector?: string | undefined;
    namespaceSelector?: string | undefined;
  };
}
export interface EntityRuleLike {
  selector?: string | undefined;
  notSelector?: string | undefined;
  namespaceSelector?: string | undefined;
  serviceAccounts?: { names?: readonly string[] | undefined; selector?: string | undefined } | undefined;
}
export interface RuleLike {
  source?: EntityRuleLike | undefined;
  destination?: EntityRuleLike | undefined;
}

/** True for NetworkPolicy and StagedNetworkPolicy (namespaced kinds). */
export function isNamespacedPolicy(policy: Pick<PolicyLike, "kind">): boolean {
  return policy.kind === "NetworkPolicy" || policy.kind === "StagedNetworkPolicy";
}

// ---------------------------------------------------------------------------
// Selector parsing with a bounded cache (the same texts recur constantly).

const CACHE_LIMIT = 10_000;
const cache = new Map<string, Selector>();

/** parseSelector with a cache; throws SelectorSyntaxError like parseSelector. */
export function cachedSelector(text: string): Selector {
  let s = cache.get(text);
  if (s === undefined) {
    s = parseSelector(text);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, s);
  }
  return s;
}

function isBlank(text: string | undefined): text is undefined | "" {
  return text === undefined || text.trim() === "";
}

const HAS_NAMESPACE = selectorHas(LABEL_NAMESPACE);
const HAS_SERVICE_ACCOUNT = selectorHas(LABEL_SERVICE_ACCOUNT);
const NOT_HAS_NAMESPACE = parseSelector(`!has(${LABEL_NAMESPACE})`);

// ---------------------------------------------------------------------------
// Endpoint labels

function inherit(prefix: string, labels: Readonly<Record<string, string>> | undefined, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) out[prefix + k] = v;
  out[prefix + LABEL_NAME] = name;
  return out;
}

/** Labels of profile `kns.<ns>`: `pcns.<label>` for each namespace label plus `pcns.projectcalico.org/name`. */
export function namespaceProfileLabels(namespace: string, ns?: NamespaceLike | null): Record<string, string> {
  return inherit(NAMESPACE_LABEL_PREFIX, ns?.metadata.labels, namespace);
}

/** Labels of profile `ksa.<ns>.<sa>`: `pcsa.<label>` plus `pcsa.projectcalico.org/name`. */
export function serviceAccountProfileLabels(name: string, sa?: ServiceAccountLike | null): Record<string, string> {
  return inherit(SERVICE_ACCOUNT_LABEL_PREFIX, sa?.metadata.labels, name);
}

/**
 * The labels a pod's WorkloadEndpoint is matched with: inherited profile
 * labels (namespace profile first, then service account), overridden by the
 * pod's own labels, overridden by Calico's implicit labels.
 */
export function endpointLabelsForPod(pod: PodLike, ns?: NamespaceLike | null, sa?: ServiceAccountLike | null): Labels {
  const namespace = pod.metadata.namespace ?? ns?.metadata.name ?? "default";
  const saName = pod.spec?.serviceAccountName;
  const out: Record<string, string> = {};
  // Lookup order: own labels, then kns.<ns>, then ksa.<ns>.<sa>; build from the weakest up.
  if (saName) Object.assign(out, serviceAccountProfileLabels(saName, sa));
  Object.assign(out, namespaceProfileLabels(namespace, ns));
  Object.assign(out, pod.metadata.labels ?? {});
  out[LABEL_NAMESPACE] = namespace;
  out[LABEL_ORCHESTRATOR] = ORCHESTRATOR_K8S;
  if (saName) out[LABEL_SERVICE_ACCOUNT] = saName;
  return out;
}

/**
 * Labels of a network set as rule selectors see it: a namespaced NetworkSet
 * gets `projectcalico.org/namespace` and inherits `kns.<ns>`; a
 * GlobalNetworkSet has its own labels only.
 */
export function endpointLabelsForNetworkSet(set: NetworkSetLike, ns?: NamespaceLike | null): Labels {
  if (set.kind === "GlobalNetworkSet") return { ...(set.metadata.labels ?? {}) };
  const namespace = set.metadata.namespace ?? ns?.metadata.name ?? "default";
  const out: Record<string, string> = { ...namespaceProfileLabels(namespace, ns), ...(set.metadata.labels ?? {}) };
  out[LABEL_NAMESPACE] = namespace;
  return out;
}

// ---------------------------------------------------------------------------
// Policy-level effective selectors

/**
 * Effective selector of a policy's `spec.selector` (with its namespace and
 * service-account selectors folded in):
 * - NP in ns N: `(<selector>) && (pcsa.<saSelector>) && projectcalico.org/namespace == "N"`;
 * - GNP: `<selector>`, AND `pcns.<namespaceSelector>` with every all() →
 *   has(projectcalico.org/namespace), AND `pcsa.<saSelector>` with every all() →
 *   has(projectcalico.org/serviceaccount).
 */
export function policySelectorFor(policy: PolicyLike): Selector {
  const spec = policy.spec;
  if (isNamespacedPolicy(policy)) {
    const parts: Selector[] = [];
    if (!isBlank(spec.selector)) parts.push(cachedSelector(spec.selector));
    if (!isBlank(spec.serviceAccountSelector)) {
      parts.push(prefixLabels(cachedSelector(spec.serviceAccountSelector), SERVICE_ACCOUNT_LABEL_PREFIX));
    }
    const namespace = policy.metadata.namespace ?? "default";
    parts.push(selectorEq(LABEL_NAMESPACE, namespace));
    return andSelectors(...parts);
  }
  let sel: Selector | null = isBlank(spec.selector) ? null : cachedSelector(spec.selector);
  if (!isBlank(spec.namespaceSelector)) {
    const prefixed = prefixLabels(cachedSelector(spec.namespaceSelector), NAMESPACE_LABEL_PREFIX);
    sel = replaceAll(sel ? andSelectors(sel, prefixed) : prefixed, HAS_NAMESPACE);
  }
  if (!isBlank(spec.serviceAccountSelector)) {
    const prefixed = prefixLabels(cachedSelector(spec.serviceAccountSelector), SERVICE_ACCOUNT_LABEL_PREFIX);
    sel = replaceAll(sel ? andSelectors(sel, prefixed) : prefixed, HAS_SERVICE_ACCOUNT);
  }
  return sel ?? cachedSelector("all()");
}

// ---------------------------------------------------------------------------
// Rule-level effective selectors

/**
 * Effective selector of a rule `namespaceSelector`: `pcns.`-prefixed with
 * every all() → has(projectcalico.org/namespace); `global()` →
 * `!has(projectcalico.org/namespace)`.
 */
export function ruleNamespaceSelector(text: string): Selector {
  const parsed = cachedSelector(text);
  if (parsed.toString() === "global()") return NOT_HAS_NAMESPACE;
  return replaceAll(prefixLabels(parsed, NAMESPACE_LABEL_PREFIX), HAS_NAMESPACE);
}

function quote(v: string): string {
  return v.includes('"') ? `'${v}'` : `"${v}"`;
}

/** `projectcalico.org/serviceaccount in {names}` AND `pcsa.`-prefixed selector; null when empty. */
export function serviceAccountsSelector(sa: EntityRuleLike["serviceAccounts"]): Selector | null {
  if (!sa) return null;
  const parts: Selector[] = [];
  if (sa.names && sa.names.length > 0) {
    parts.push(cachedSelector(`${LABEL_SERVICE_ACCOUNT} in {${sa.names.map(quote).join(", ")}}`));
  }
  if (!isBlank(sa.selector)) parts.push(prefixLabels(cachedSelector(sa.selector), SERVICE_ACCOUNT_LABEL_PREFIX));
  return parts.length ? andSelectors(...parts) : null;
}

export interface EntitySelectors {
  /**
   * The positive side: the IP must belong to an endpoint or network set this
   * selector matches. null = no endpoint restriction (any IP, including IPs
   * outside the cluster).
   */
  selector: Selector | null;
  /** The IP must not belong to anything this matches (as written, never namespace-scoped). */
  notSelector: Selector | null;
}

/**
 * Effective selectors of one side (`source` / `destination`) of a rule in a
 * policy, exactly as the table in reference §1.6.
 */
export function entitySelectorsFor(policy: Pick<PolicyLike, "kind" | "metadata">, entity: EntityRuleLike | undefined): EntitySelectors {
  if (!entity) return { selector: null, notSelector: null };
  const hasSelector = !isBlank(entity.selector);
  const hasNotSelector = !isBlank(entity.notSelector);
  const saSel = serviceAccountsSelector(entity.serviceAccounts);
  const parts: Selector[] = [];
  if (hasSelector) parts.push(cachedSelector(entity.selector!));
  if (saSel) parts.push(saSel);

  let scope: Selector | null = null;
  if (!isBlank(entity.namespaceSelector)) {
    scope = ruleNamespaceSelector(entity.namespaceSelector);
  } else if (isNamespacedPolicy(policy) && (hasSelector || hasNotSelector || entity.serviceAccounts !== undefined)) {
    scope = selectorEq(LABEL_NAMESPACE, policy.metadata.namespace ?? "default");
  }
  if (scope) parts.push(scope);
  return {
    selector: parts.length ? andSelectors(...parts) : null,
    notSelector: hasNotSelector ? cachedSelector(entity.notSelector!) : null,
  };
}

/** `ruleEntitySelectors(policy, rule, "source" | "destination")`: see entitySelectorsFor. */
export function ruleEntitySelectors(policy: Pick<PolicyLike, "kind" | "metadata">, rule: RuleLike, side: "source" | "destination"): EntitySelectors {
  return entitySelectorsFor(policy, rule[side]);
}
