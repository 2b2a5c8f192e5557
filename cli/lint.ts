/** `portcullis lint FILE...` */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseSnapshotYaml, type YamlIssue } from "../server/policy/index";
import { EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE, type Io } from "./io";

export const LINT_HELP = `Usage: portcullis lint FILE...

Validates YAML files of Calico (projectcalico.org/v3), Portcullis (portcullis.dev/v1)
and Kubernetes NetworkPolicy resources; v1 Namespace, Pod and ServiceAccount
documents (simulation snapshots) are accepted too.

Prints one line per problem as FILE:LINE: PATH: MESSAGE and exits 1 when there
are problems, or a short summary and exits 0 when every file is clean.

Options:
  -h, --help   show this help`;

export function lint(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { help: { type: "boolean", short: "h" } } });
  if (values.help) {
    io.out(LINT_HELP);
    return EXIT_OK;
  }
  if (positionals.length === 0) {
    io.err("portcullis lint: expected at least one FILE (see portcullis lint --help)");
    return EXIT_USAGE;
  }
  let problems = 0;
  let resources = 0;
  let objects = 0;
  let unreadable = 0;
  const problemFiles = new Set<string>();
  for (const file of positionals) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      io.err(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      unreadable++;
      continue;
    }
    const r = parseSnapshotYaml(text);
    const sorted: YamlIssue[] = [...r.issues].sort((a, b) => a.line - b.line || a.column - b.column);
    for (const i of sorted) io.out(`${file}:${i.line}: ${i.path}: ${i.message}`);
    if (sorted.length) problemFiles.add(file);
    problems += sorted.length;
    for (const item of r.items) {
      if (item.value.type === "resource") resources++;
      else objects++;
    }
  }
  if (unreadable) return EXIT_USAGE;
  if (problems) {
    io.out(`${problems} problem${problems === 1 ? "" : "s"} in ${problemFiles.size} file${problemFiles.size === 1 ? "" : "s"}`);
    return EXIT_NEGATIVE;
  }
  const files = positionals.length;
  io.out(
    `OK: ${files} file${files === 1 ? "" : "s"}, ${resources} resource${resources === 1 ? "" : "s"}` +
      (objects ? `, ${objects} Kubernetes object${objects === 1 ? "" : "s"}` : ""),
  );
  return EXIT_OK;
}
