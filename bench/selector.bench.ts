/**
 * Selector language throughput: parsing, canonical printing/UID and matching.
 */
import { parseSelector, type Labels } from "../server/policy/selector/index";
import { throughput, type BenchSuite } from "./harness";

const PARSE_INPUTS = [
  'app == "web"',
  'app == "web" && tier in {"a", "b"}',
  "has(projectcalico.org/serviceaccount) && !has(pcns.quarantine)",
  '(app == "web" || app starts with "api-") && env not in {"dev", "test"} && projectcalico.org/namespace == "prod"',
  "pcns.projectcalico.org/name == 'kube-system' && k8s-app in {'kube-dns', 'coredns'}",
  "all()",
];

const LABEL_SETS: Labels[] = [
  { app: "web", tier: "a", env: "prod", "projectcalico.org/namespace": "prod" },
  { app: "web", tier: "c", env: "prod", "projectcalico.org/namespace": "prod" },
  { app: "api-gw", tier: "b", env: "dev", "projectcalico.org/namespace": "dev" },
  { app: "db", env: "prod", "projectcalico.org/namespace": "prod", "pcns.team": "data" },
];

function matchRate(text: string): number {
  const sel = parseSelector(text);
  let i = 0;
  let sink = 0;
  const rate = throughput(
    () => {
      if (sel.matches(LABEL_SETS[i++ & 3]!)) sink++;
    },
    700,
    10_000,
  );
  if (sink < 0) throw new Error("unreachable");
  return rate;
}

export default {
  name: "selector",
  async run(report) {
    let p = 0;
    report({
      name: "selector.parse",
      value: throughput(() => void parseSelector(PARSE_INPUTS[p++ % PARSE_INPUTS.length]!), 700, 1000),
      unit: "ops/s",
    });
    p = 0;
    report({
      name: "selector.parse+uid",
      value: throughput(() => void parseSelector(PARSE_INPUTS[p++ % PARSE_INPUTS.length]!).uid(), 700, 1000),
      unit: "ops/s",
    });
    report({
      name: "selector.match.simple",
      value: matchRate('app == "web" && tier in {"a","b"}'),
      unit: "matches/s",
      target: ">= 1000000",
    });
    report({
      name: "selector.match.complex",
      value: matchRate(
        '((app == "web" || app starts with "api-") && env not in {"dev", "test"} && !has(pcns.quarantine)) || (pcns.team contains "dat" && projectcalico.org/namespace in {"prod", "staging"})',
      ),
      unit: "matches/s",
      target: ">= 1000000",
    });
  },
} satisfies BenchSuite;
