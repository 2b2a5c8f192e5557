/**
 * `npm run bench [-- --json] [-- --only PREFIX]`: discovers every `*.bench.ts`
 * under `bench/`, runs each suite in turn and prints one table of figures,
 * or one JSON object per line per figure with `--json`.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { checkTarget, type BenchSuite, type Figure } from "./harness";

const args = process.argv.slice(2);
const json = args.includes("--json");
const onlyIdx = args.indexOf("--only");
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;

function findSuites(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findSuites(p));
    else if (entry.name.endsWith(".bench.ts")) out.push(p);
  }
  return out.sort();
}

function fmt(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return "";
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString("en-US");
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(3);
}

async function main(): Promise<boolean> {
  const figures: Figure[] = [];
  const files = findSuites(import.meta.dirname);
  let failed = false;
  for (const file of files) {
    const mod = (await import(pathToFileURL(file).href)) as { default: BenchSuite };
    const suite = mod.default;
    if (only && !suite.name.startsWith(only)) continue;
    if (suite.needs?.includes("root") && process.getuid?.() !== 0) {
      if (!json) console.error(`skip ${suite.name}: needs root`);
      continue;
    }
    if (!json) console.error(`running ${suite.name} ...`);
    try {
      await suite.run((f) => {
        const fig: Figure = { ...f };
        if (f.baseline !== undefined && f.baseline !== 0) fig.ratio = f.value / f.baseline;
        fig.meetsTarget = checkTarget(f.value, f.target);
        figures.push(fig);
        if (json) process.stdout.write(JSON.stringify(fig) + "\n");
      });
    } catch (err) {
      failed = true;
      console.error(`suite ${suite.name} failed:`, err);
    }
  }
  if (!json) {
    const rows = figures.map((f) => [
      f.name,
      fmt(f.value),
      f.unit,
      f.target ?? "",
      f.meetsTarget === undefined ? "" : f.meetsTarget ? "yes" : "NO",
      f.baseline === undefined ? "" : `${fmt(f.baseline)} (${f.baselineLabel ?? "baseline"})`,
      f.ratio === undefined ? "" : `${f.ratio.toFixed(2)}x`,
    ]);
    const head = ["figure", "value", "unit", "target", "met", "baseline", "ratio"];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) => r.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
    console.log(line(head));
    console.log(widths.map((w) => "-".repeat(w)).join("  "));
    for (const r of rows) console.log(line(r));
  }
  return failed;
}

// Exit explicitly: a failed suite fails the run, and no suite's leftover handle keeps it alive.
process.exit((await main()) ? 1 : 0);
