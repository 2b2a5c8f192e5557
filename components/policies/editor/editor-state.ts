/**
 * The editor's state machine (pure): the raw document, stable ids for the rule lists (so cards and
 * focus follow a rule when it moves), the active tab and the YAML text being edited.
 */
import { changeKind, getIn, insertItem, moveInArray, moveItem, removeItem, rulesOf, setIn, type Direction, type Doc, type Path, type PolicyKind } from "./document";
import type { Issue } from "./issues";
import { pathKey } from "./issues";
import { docToYaml, yamlToDoc, type YamlRead } from "./yaml-doc";

export interface EditorState {
  doc: Doc;
  ids: Record<Direction, string[]>;
  tab: "form" | "yaml";
  yaml: string;
  yamlRead: YamlRead | null;
  /** A message for the user about the last action (e.g. fields a kind switch dropped). */
  notice: string | null;
  /** The rule that just moved, for focus and an announcement. */
  moved: { id: string; which: "up" | "down"; message: string } | null;
  /** Field errors from the last save attempt, until the field is edited. */
  serverIssues: Issue[];
  /** Bumped on every document change (for "saved" status). */
  revision: number;
}

export type EditorAction =
  | { type: "set"; path: Path; value: unknown }
  | { type: "kind"; kind: PolicyKind }
  | { type: "addRule"; direction: Direction }
  | { type: "removeRule"; direction: Direction; index: number }
  | { type: "moveRule"; direction: Direction; index: number; delta: -1 | 1 }
  | { type: "tab"; tab: "form" | "yaml" }
  | { type: "yaml"; text: string }
  | { type: "serverIssues"; issues: Issue[] }
  | { type: "dismissNotice" };

let seq = 0;
function newId(): string {
  seq += 1;
  return `rule-${seq}`;
}

function idsFor(doc: Doc, prev?: Record<Direction, string[]>): Record<Direction, string[]> {
  const out = { ingress: [] as string[], egress: [] as string[] };
  for (const d of ["ingress", "egress"] as const) {
    const n = rulesOf(doc, d).length;
    const old = prev?.[d] ?? [];
    out[d] = Array.from({ length: n }, (_, i) => old[i] ?? newId());
  }
  return out;
}

export function initialState(doc: Doc): EditorState {
  return { doc, ids: idsFor(doc), tab: "form", yaml: "", yamlRead: null, notice: null, moved: null, serverIssues: [], revision: 0 };
}

function withDoc(state: EditorState, doc: Doc, touched?: string): EditorState {
  const serverIssues =
    touched === undefined ? [] : state.serverIssues.filter((i) => !(i.path === touched || i.path.startsWith(`${touched}.`) || i.path.startsWith(`${touched}[`)));
  return { ...state, doc, ids: idsFor(doc, state.ids), serverIssues, revision: state.revision + 1 };
}

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case "set":
      return { ...withDoc(state, setIn(state.doc, action.path, action.value), pathKey(action.path)), notice: null };
    case "kind": {
      const r = changeKind(state.doc, action.kind);
      const notice = r.dropped.length ? `Switched to ${action.kind}; removed ${r.dropped.join(", ")} (not valid for this kind).` : null;
      return { ...withDoc(state, r.doc, "kind"), notice };
    }
    case "addRule": {
      const doc = insertItem(state.doc, ["spec", action.direction], { action: "Allow" });
      return { ...withDoc(state, doc, `spec.${action.direction}`), moved: null };
    }
    case "removeRule": {
      const doc = removeItem(state.doc, ["spec", action.direction], action.index);
      const ids = { ...state.ids, [action.direction]: state.ids[action.direction].filter((_, i) => i !== action.index) };
      return { ...withDoc({ ...state, ids }, doc, `spec.${action.direction}`), moved: null };
    }
    case "moveRule": {
      const to = action.index + action.delta;
      const list = getIn(state.doc, ["spec", action.direction]);
      if (!Array.isArray(list) || to < 0 || to >= list.length) return state;
      const doc = moveItem(state.doc, ["spec", action.direction], action.index, to);
      const ids = { ...state.ids, [action.direction]: moveInArray(state.ids[action.direction], action.index, to) };
      const name = action.direction === "ingress" ? "Ingress" : "Egress";
      return {
        ...withDoc({ ...state, ids }, doc, `spec.${action.direction}`),
        moved: { id: state.ids[action.direction][action.index]!, which: action.delta < 0 ? "up" : "down", message: `${name} rule ${action.index + 1} moved to position ${to + 1} of ${list.length}.` },
      };
    }
    case "tab": {
      if (action.tab === state.tab) return state;
      if (action.tab === "yaml") {
        const yaml = docToYaml(state.doc);
        return { ...state, tab: "yaml", yaml, yamlRead: yamlToDoc(yaml), notice: null };
      }
      // Back to the form only with a document the form can edit.
      if (!state.yamlRead?.doc) return state;
      return { ...state, tab: "form", notice: null };
    }
    case "yaml": {
      const read = yamlToDoc(action.text);
      const next = { ...state, yaml: action.text, yamlRead: read };
      // The raw document follows the YAML as soon as it is one policy (valid or not).
      if (!read.doc) return next;
      return { ...next, doc: read.doc, ids: idsFor(read.doc, state.ids), serverIssues: [], revision: state.revision + 1 };
    }
    case "serverIssues":
      return { ...state, serverIssues: action.issues };
    case "dismissNotice":
      return { ...state, notice: null };
  }
}
