/**
 * Picking network sets by name for a rule side. A rule can only select a network set by its
 * labels (reference §1.6, §4: sets carry no name label), so picking produces a selector on the
 * sets' own labels plus the namespace scope that lets the rule reach them:
 * - GlobalNetworkPolicy: no namespaceSelector (its rules range over every set);
 * - NetworkPolicy in N: sets of N need none; GlobalNetworkSets need `global()`; namespaced sets of
 *   other namespaces need `projectcalico.org/name` of those namespaces. Global and namespaced
 *   sets cannot be reached by one NetworkPolicy rule.
 */
import { LABEL_NAME } from "@/server/policy/effective";
import { andSelectors, compareBytes, selectorEq, selectorFromNode, type Selector } from "@/server/policy/selector/index";
import type { NetworkSetInfo } from "./preview";

export interface SetPick {
  selector: string;
  /** The rule side's namespaceSelector: a value, or null to remove it. */
  namespaceSelector: string | null;
  problem: string | null;
}

export function setTerm(set: Pick<NetworkSetInfo, "labels">): Selector | null {
  const keys = Object.keys(set.labels).sort(compareBytes);
  if (keys.length === 0) return null;
  return andSelectors(...keys.map((k) => selectorEq(k, set.labels[k]!)));
}

function describeSet(s: NetworkSetInfo): string {
  return s.kind === "GlobalNetworkSet" ? s.name : `${s.namespace}/${s.name}`;
}

export function selectorForSets(sets: readonly NetworkSetInfo[], policy: { kind: string; namespace: string | null }): SetPick {
  if (sets.length === 0) return { selector: "", namespaceSelector: null, problem: "pick at least one network set" };
  const unlabelled = sets.filter((s) => Object.keys(s.labels).length === 0);
  if (unlabelled.length) {
    return {
      selector: "",
      namespaceSelector: null,
      problem: `${unlabelled.map(describeSet).join(", ")} ${unlabelled.length === 1 ? "has" : "have"} no labels: a rule selects network sets by their labels`,
    };
  }
  const terms = new Map<string, Selector>();
  for (const s of sets) {
    const t = setTerm(s)!;
    terms.set(t.toString(), t);
  }
  const list = [...terms.values()];
  const selector = list.length === 1 ? list[0]!.toString() : selectorFromNode({ kind: "or", operands: list.map((t) => t.root) }).toString();

  if (policy.kind !== "NetworkPolicy") return { selector, namespaceSelector: null, problem: null };
  const own = policy.namespace ?? "default";
  const globals = sets.filter((s) => s.kind === "GlobalNetworkSet");
  const namespaced = sets.filter((s) => s.kind !== "GlobalNetworkSet");
  if (globals.length && namespaced.length) {
    return {
      selector,
      namespaceSelector: null,
      problem: "a NetworkPolicy rule reaches either GlobalNetworkSets (namespaceSelector global()) or namespaced sets, not both: use one rule for each",
    };
  }
  if (globals.length) return { selector, namespaceSelector: "global()", problem: null };
  const namespaces = [...new Set(namespaced.map((s) => s.namespace ?? "default"))].sort(compareBytes);
  if (namespaces.length === 1 && namespaces[0] === own) return { selector, namespaceSelector: null, problem: null };
  const nsSel =
    namespaces.length === 1
      ? selectorEq(LABEL_NAME, namespaces[0]!).toString()
      : `${LABEL_NAME} in {${namespaces.map((n) => JSON.stringify(n)).join(", ")}}`;
  return { selector, namespaceSelector: nsSel, problem: null };
}
