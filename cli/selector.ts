/** `portcullis selector 'EXPR' [--labels k=v,...]` */
import { parseArgs } from "node:util";
import { parseSelector, SelectorSyntaxError } from "../server/policy/index";
import { EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE, UsageError, type Io } from "./io";

export const SELECTOR_HELP = `Usage: portcullis selector 'EXPR' [--labels k=v,...]

Parses a Calico selector and prints its canonical form and unique ID. With
--labels, also says whether the selector matches that label set (a label with an
empty value is written k=). Repeat --labels or separate pairs with commas.

Exit status: 0 valid (and matching, with --labels), 1 valid but not matching,
2 syntax error (the input is shown with a caret under the error position).

Options:
  -l, --labels k=v,...   labels to match against
  -h, --help             show this help`;

export function parseLabelList(items: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of items) {
    for (const pair of item.split(",")) {
      if (pair.trim() === "") continue;
      const eq = pair.indexOf("=");
      if (eq <= 0) throw new UsageError(`--labels: expected key=value, got ${JSON.stringify(pair)}`);
      labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
    }
  }
  return labels;
}

/** The input on one line (newlines/tabs shown as visible characters) with a caret under `position`. */
export function caretLines(input: string, position: number): [string, string] {
  const shown = input.replace(/\n/g, "⏎").replace(/\r/g, "␍").replace(/\t/g, "→");
  return [`  ${shown}`, `  ${" ".repeat(Math.max(0, Math.min(position, shown.length)))}^`];
}

export function selector(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { labels: { type: "string", short: "l", multiple: true }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    io.out(SELECTOR_HELP);
    return EXIT_OK;
  }
  if (positionals.length !== 1) {
    io.err("portcullis selector: expected exactly one selector expression (quote it; see portcullis selector --help)");
    return EXIT_USAGE;
  }
  const text = positionals[0]!;
  let sel;
  try {
    sel = parseSelector(text);
  } catch (err) {
    if (!(err instanceof SelectorSyntaxError)) throw err;
    io.err(`error: ${err.message}`);
    for (const line of caretLines(text, err.position)) io.err(line);
    return EXIT_USAGE;
  }
  io.out(`canonical: ${sel.toString()}`);
  io.out(`uid:       ${sel.uid()}`);
  if (values.labels === undefined) return EXIT_OK;
  const labels = parseLabelList(values.labels);
  const matches = sel.matches(labels);
  const shown = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  io.out(`matches:   ${matches ? "yes" : "no"} (${shown || "no labels"})`);
  return matches ? EXIT_OK : EXIT_NEGATIVE;
}
