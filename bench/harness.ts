/**
 * Benchmark harness shared by every area of the project.
 *
 * A benchmark module (any `*.bench.ts` file under `bench/`) default-exports a
 * `BenchSuite`: a name and an async `run(report)` that calls `report()` once
 * per measured figure. `bench/run.ts` discovers and runs the suites, then
 * prints a table (or JSON lines with `--json`).
 */
export interface Figure {
  /** Stable, dotted identifier, e.g. `selector.match.simple`. */
  name: string;
  value: number;
  /** Unit of `value`, e.g. `ops/s`, `ms`, `MB`. */
  unit: string;
  /** The same quantity measured for a baseline in the same run (same unit). */
  baseline?: number;
  /** What the baseline is, e.g. `full scan`, `psql COPY`. */
  baselineLabel?: string;
  /** value / baseline, computed by the harness when a baseline is given. */
  ratio?: number;
  /** Human-readable target, e.g. `>= 1000000`, `< 5`. */
  target?: string;
  /** Whether the figure meets its target (computed by the harness from `target`). */
  meetsTarget?: boolean;
}

export type Report = (figure: Omit<Figure, "ratio" | "meetsTarget">) => void;

export interface BenchSuite {
  name: string;
  /** Suites that need root / the kernel / a database say so; the runner may skip them. */
  needs?: Array<"root" | "postgres" | "nft" | "build">;
  run(report: Report): Promise<void>;
}

export function checkTarget(value: number, target: string | undefined): boolean | undefined {
  if (!target) return undefined;
  const m = /^\s*(>=|<=|>|<)\s*([0-9.eE+-]+)/.exec(target);
  if (!m) return undefined;
  const t = Number(m[2]);
  switch (m[1]) {
    case ">=":
      return value >= t;
    case "<=":
      return value <= t;
    case ">":
      return value > t;
    case "<":
      return value < t;
  }
  return undefined;
}

/** Runs `fn` repeatedly for about `ms` milliseconds and returns operations per second. */
export function throughput(fn: () => void, ms = 500, batch = 1000): number {
  // warm-up
  for (let i = 0; i < batch; i++) fn();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

/** Percentile (0..100) of a list of numbers (nearest-rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}
