/**
 * The YAML tab: the edited document printed as Calico YAML with the engine's printer (canonical
 * key order, quoting safe for calicoctl), and YAML text read back into a raw document. Reading
 * keeps every field, known to the form or not; schema problems are reported with their line.
 */
import { parseResource, type TResource } from "@/server/policy/resources/index";
import { parseYamlDocuments, resourcesToYaml, type YamlIssue } from "@/server/policy/yaml";
import { isPolicyKind, isRecord, type Doc } from "./document";

export function docToYaml(doc: Doc): string {
  // The printer only orders keys and drops empty values; it accepts any resource-shaped object.
  return resourcesToYaml([doc as unknown as TResource]);
}

export interface YamlRead {
  /** The document, when the text is one YAML mapping (even one the schema rejects). */
  doc: Doc | null;
  /** Problems that stop the text from being a document (syntax, several documents, ...). */
  blocking: YamlIssue[];
  /** Schema problems of the document, located in the text. */
  issues: YamlIssue[];
}

function issue(message: string, line = 1): YamlIssue {
  return { document: 1, line, column: 1, path: "(yaml)", message };
}

export function yamlToDoc(text: string): YamlRead {
  const raw = parseYamlDocuments<unknown>(text, (obj) => ({ ok: true, value: obj }));
  if (raw.issues.length) return { doc: null, blocking: raw.issues, issues: [] };
  if (raw.items.length === 0) return { doc: null, blocking: [issue("the YAML holds no resource")], issues: [] };
  if (raw.items.length > 1) {
    return { doc: null, blocking: [issue(`the editor edits one policy at a time; found ${raw.items.length} resources`, raw.items[1]!.line)], issues: [] };
  }
  const value = raw.items[0]!.value;
  if (!isRecord(value)) return { doc: null, blocking: [issue("a resource must be a mapping with apiVersion, kind, metadata and spec")], issues: [] };
  if (!isPolicyKind(value.kind)) {
    return {
      doc: null,
      blocking: [issue(`the policy editor edits NetworkPolicy and GlobalNetworkPolicy resources${typeof value.kind === "string" ? ` (this is a ${value.kind})` : ""}`)],
      issues: [],
    };
  }
  const checked = parseYamlDocuments(text, parseResource);
  return { doc: value, blocking: [], issues: checked.issues };
}
