import { lineDiff } from "../../policy/line-diff";
import { resourcesToYaml } from "../../policy/index";
import { storedResource } from "./store";

/** A stored document as calicoctl-style YAML ("" for none). */
export function yamlOf(doc: unknown): string {
  if (!doc) return "";
  return resourcesToYaml([storedResource(doc)]);
}

export function resourceDiff(before: unknown, after: unknown) {
  const beforeYaml = yamlOf(before);
  const afterYaml = yamlOf(after);
  const lines = lineDiff(beforeYaml, afterYaml);
  return {
    beforeYaml,
    afterYaml,
    diff: lines,
    added: lines.filter((l) => l.op === "add").length,
    removed: lines.filter((l) => l.op === "del").length,
  };
}
