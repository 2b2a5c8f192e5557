/**
 * Validation issues of the edited document, keyed by field path so each form field can show the
 * ones that name it. Two sources: the policy engine in the browser (`parseResource`, the same zod
 * schemas the API uses) and the server's 422 answer to "Save to draft" (paths like
 * `changes[0].document.spec.egress[1].destination.selector`). Both are brought to the engine's
 * path format (`formatPath`: `spec.egress[1].destination.selector`, `metadata.labels["a/b"]`).
 */
import { formatPath } from "@/server/policy/resources/common";
import { parseResource, type TResource } from "@/server/policy/resources/index";
import { isPolicyKind, type Doc, type Path } from "./document";

export interface Issue {
  /** Engine path format; "(document)" for the document as a whole. */
  path: string;
  message: string;
  source: "engine" | "server";
}

export const DOCUMENT_PATH = "(document)";

export function pathKey(path: Path): string {
  return formatPath(path);
}

export interface Validation {
  resource: TResource | null;
  issues: Issue[];
}

/** Validates the document with the engine; only the two policy kinds are accepted here. */
export function validateDocument(doc: Doc): Validation {
  if (!isPolicyKind(doc.kind)) {
    return {
      resource: null,
      issues: [{ path: "kind", message: "the policy editor edits NetworkPolicy and GlobalNetworkPolicy resources", source: "engine" }],
    };
  }
  const r = parseResource(doc);
  if (r.ok) return { resource: r.value, issues: [] };
  return { resource: null, issues: r.issues.map((i) => ({ path: pathKey(i.path), message: i.message, source: "engine" as const })) };
}

/** Server field errors for change `index` of a save, in document paths (other paths are kept whole). */
export function issuesFromServer(errors: ReadonlyArray<{ path: string; message: string }>, index = 0): Issue[] {
  const docPrefix = `changes[${index}].document`;
  const changePrefix = `changes[${index}]`;
  return errors.map((e) => {
    let path = e.path;
    if (path === docPrefix || path === changePrefix) path = DOCUMENT_PATH;
    else if (path.startsWith(`${docPrefix}.`)) path = path.slice(docPrefix.length + 1);
    else if (path.startsWith(`${docPrefix}[`)) path = path.slice(docPrefix.length);
    else if (path.startsWith(`${changePrefix}.`)) path = path.slice(changePrefix.length + 1);
    return { path, message: e.message, source: "server" as const };
  });
}

/**
 * Issues a field at `key` shows: its own, and (with `descendants`) those of anything below it,
 * e.g. `spec.egress[0].destination.nets[2]` for the nets field.
 */
export function issuesAt(issues: readonly Issue[], key: string, descendants = false): Issue[] {
  return issues.filter((i) => i.path === key || (descendants && (i.path.startsWith(`${key}.`) || i.path.startsWith(`${key}[`))));
}

/** The issues of one rule (itself and everything inside it), for memoised rule cards. */
export function groupByPrefix(issues: readonly Issue[], prefixes: readonly string[]): Map<string, Issue[]> {
  const out = new Map<string, Issue[]>(prefixes.map((p) => [p, []]));
  for (const i of issues) {
    for (const p of prefixes) {
      if (i.path === p || i.path.startsWith(`${p}.`) || i.path.startsWith(`${p}[`)) {
        out.get(p)!.push(i);
        break;
      }
    }
  }
  return out;
}
