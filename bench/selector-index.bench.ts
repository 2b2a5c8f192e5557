/**
 * SelectorIndex over 100 000 pods in 500 namespaces with realistic labels
 * (own labels plus Calico's implicit and inherited ones). Each figure is the
 * median query time; the baseline is a full scan of the same selector.
 */
import { SelectorIndex, type IndexedEndpoint } from "../server/policy/selector-index";
import { andSelectors, parseSelector, selectorEq, type Selector } from "../server/policy/selector/index";
import { median, type BenchSuite } from "./harness";
import { seededRandom as rng } from "../server/policy/random";

const PODS = 100_000;
const NAMESPACES = 500;
const NS = "projectcalico.org/namespace";


function inventory(): IndexedEndpoint[] {
  const r = rng(42);
  const teams = Array.from({ length: 20 }, (_, i) => `team-${i}`);
  const envs = ["prod", "staging", "dev"];
  const tiers = ["frontend", "backend", "db", "cache"];
  const out: IndexedEndpoint[] = [];
  for (let i = 0; i < PODS; i++) {
    const ns = i % NAMESPACES;
    const app = `app-${Math.floor(r() * 50)}`;
    const labels: Record<string, string> = {
      app,
      "app.kubernetes.io/name": app,
      tier: tiers[Math.floor(r() * tiers.length)]!,
      version: `v${1 + Math.floor(r() * 5)}`,
      "pod-template-hash": Math.floor(r() * 0xffffff).toString(16),
      [NS]: `ns-${ns}`,
      "projectcalico.org/orchestrator": "k8s",
      "projectcalico.org/serviceaccount": `${app}-sa`,
      "pcns.projectcalico.org/name": `ns-${ns}`,
      "pcns.env": envs[ns % envs.length]!,
      "pcns.team": teams[ns % teams.length]!,
      "pcsa.projectcalico.org/name": `${app}-sa`,
    };
    if (r() < 0.01) labels.canary = "true";
    out.push({ id: `ns-${ns}/pod-${i}`, labels });
  }
  return out;
}

function timeMs(fn: () => unknown, runs: number): number {
  const times: number[] = [];
  fn(); // warm-up
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export default {
  name: "selector-index",
  async run(report) {
    const pods = inventory();
    const t0 = performance.now();
    const idx = new SelectorIndex(pods);
    report({ name: "selector-index.build.100k", value: performance.now() - t0, unit: "ms" });

    const queries: Array<[string, Selector]> = [
      ["equality", parseSelector('app == "app-7"')],
      ["in", parseSelector('app in {"app-1", "app-2", "app-3"}')],
      ["has", parseSelector("has(canary)")],
      ["namespace-equality", andSelectors(parseSelector('tier == "frontend"'), selectorEq(NS, "ns-42"))],
    ];
    for (const [label, sel] of queries) {
      const indexed = idx.query(sel);
      const scanned = idx.scan(sel);
      if (indexed.length !== scanned.length || indexed.some((id, i) => id !== scanned[i])) {
        throw new Error(`index and scan disagree for ${sel.toString()}`);
      }
      const value = timeMs(() => idx.query(sel), 31);
      const baseline = timeMs(() => idx.scan(sel), 9);
      report({
        name: `selector-index.query.${label}`,
        value,
        unit: "ms",
        target: "< 5",
        baseline,
        baselineLabel: "full scan",
      });
    }
  },
} satisfies BenchSuite;
