/** `portcullis simulate -f FILE... --from ns/pod|IP --to ns/pod|IP[:PORT][/PROTO] [--domain NAME] [--json]` */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  compileSnapshot,
  evaluateFlow,
  FlowError,
  parseIp,
  parseSnapshotYaml,
  snapshotFromItems,
  type DirectionResult,
  type Flow,
  type FlowPeer,
  type FlowResult,
  type SnapshotItem,
  type TraceStep,
} from "../server/policy/index";
import { EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE, UsageError, type Io } from "./io";

export const SIMULATE_HELP = `Usage: portcullis simulate -f FILE... --from SOURCE --to DESTINATION [--domain NAME] [--json]

Evaluates one flow against the policy in the given YAML files (resources plus v1
Namespace and Pod documents) the way Calico would: the source pod's egress, then
the destination pod's ingress, tier by tier. Prints the verdict and what decided it.

  SOURCE        ns/pod or an IP address
  DESTINATION   ns/pod or an IP, optionally with :PORT and /PROTO (default TCP),
                e.g. shop/cart:9000, 203.0.113.7:443/TCP, [2001:db8::1]:53/UDP, 10.0.0.1/ICMP

Exit status: 0 allowed, 1 denied, 2 invalid input.

Options:
  -f, --file FILE     YAML file (repeatable)
      --from SOURCE   flow source
      --to DEST       flow destination
      --domain NAME   the DNS name the destination IP was resolved from (DNS policy)
      --json          print the evaluateFlow result as JSON
  -h, --help          show this help`;

const PROTOCOL_NAMES: Record<number, string> = { 1: "ICMP", 6: "TCP", 17: "UDP", 58: "ICMPv6", 132: "SCTP", 136: "UDPLite" };
const PROTO_RE = /^[A-Za-z][A-Za-z0-9]*$|^\d{1,3}$/;

function isIp(s: string): boolean {
  try {
    parseIp(s);
    return true;
  } catch {
    return false;
  }
}

function peerOf(host: string, what: string): FlowPeer {
  if (isIp(host)) return { ip: host };
  if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(host)) return { pod: host };
  throw new UsageError(`${what}: expected ns/pod or an IP address, got ${JSON.stringify(host)}`);
}

export interface ParsedTarget {
  peer: FlowPeer;
  port?: number;
  protocol?: string;
}

/** Parses `ns/pod|IP[:PORT][/PROTO]` (IPv6 with a port in brackets). */
export function parseTarget(text: string, what = "--to"): ParsedTarget {
  if (isIp(text)) return { peer: { ip: text } };
  let rest = text;
  let protocol: string | undefined;
  const slash = rest.lastIndexOf("/");
  if (slash > 0) {
    const tail = rest.slice(slash + 1);
    const head = rest.slice(0, slash);
    // A trailing /PROTO follows a port, a bracketed IPv6 address or a plain IP.
    if (PROTO_RE.test(tail) && (/:\d+$/.test(head) || /\]$/.test(head) || isIp(head))) {
      protocol = tail;
      rest = head;
    }
  }
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  let host: string;
  if (bracket) {
    host = bracket[1]!;
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if (isIp(rest)) {
    host = rest;
  } else {
    const m = /^(.*):(\d+)$/.exec(rest);
    host = m ? m[1]! : rest;
    if (m) port = Number(m[2]);
  }
  if (port !== undefined && (port < 0 || port > 65535)) throw new UsageError(`${what}: port ${port} is out of range`);
  const out: ParsedTarget = { peer: peerOf(host, what) };
  if (port !== undefined) out.port = port;
  if (protocol !== undefined) out.protocol = protocol;
  return out;
}

function loadItems(files: readonly string[], io: Io): SnapshotItem[] | null {
  const items: SnapshotItem[] = [];
  let bad = false;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      io.err(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      bad = true;
      continue;
    }
    const r = parseSnapshotYaml(text);
    for (const i of r.issues) io.err(`${file}:${i.line}: ${i.path}: ${i.message}`);
    if (r.issues.length) bad = true;
    items.push(...r.items.map((i) => i.value));
  }
  return bad ? null : items;
}

function describePeer(p: FlowResult["source"]): string {
  let s = p.pod ? `${p.pod}${p.ip ? ` (${p.ip})` : ""}` : (p.ip ?? "?");
  if (p.domain) s += ` [${p.domain}]`;
  if (p.networkSets?.length) s += ` {in ${p.networkSets.join(", ")}}`;
  return s;
}

function stepLines(step: TraceStep, n: number): string[] {
  const lines = [`  ${n}. ${step.message}`];
  if (step.kind === "rule" && step.detail) lines.push(`     ${step.detail}`);
  return lines;
}

function directionLines(label: string, d: DirectionResult | null, absent: string): string[] {
  if (!d) return [`${label}: not evaluated (${absent})`];
  const lines = [`${label} of ${d.endpoint}: ${d.verdict.toUpperCase()}`];
  d.trace.forEach((s, i) => lines.push(...stepLines(s, i + 1)));
  return lines;
}

/** Readable rendering of a flow result. */
export function formatResult(r: FlowResult): string[] {
  const proto = PROTOCOL_NAMES[r.protocol] ?? String(r.protocol);
  const lines = [`flow: ${describePeer(r.source)} -> ${describePeer(r.destination)} ${proto}${r.port !== undefined ? `/${r.port}` : ""}`];
  lines.push(...directionLines("egress", r.egress, "the source is not a pod in the snapshot"));
  lines.push(...directionLines("ingress", r.ingress, "the destination is not a pod in the snapshot"));
  lines.push(`verdict: ${r.action.toUpperCase()}${r.stagedAction && r.stagedAction !== r.action ? ` (with staged policies: ${r.stagedAction.toUpperCase()})` : ""}`);
  return lines;
}

export function simulate(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      file: { type: "string", short: "f", multiple: true },
      from: { type: "string" },
      to: { type: "string" },
      domain: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.out(SIMULATE_HELP);
    return EXIT_OK;
  }
  const files = [...(values.file ?? []), ...positionals];
  if (files.length === 0) throw new UsageError("expected at least one -f FILE");
  if (!values.from) throw new UsageError("--from is required");
  if (!values.to) throw new UsageError("--to is required");
  const from = parseTarget(values.from, "--from");
  if (from.port !== undefined || from.protocol !== undefined) throw new UsageError("--from takes ns/pod or an IP without port or protocol");
  const to = parseTarget(values.to, "--to");
  const items = loadItems(files, io);
  if (!items) return EXIT_USAGE;
  const snapshot = compileSnapshot(snapshotFromItems(items));
  for (const w of snapshot.warnings) io.err(`warning: ${w}`);
  const flow: Flow = {
    source: from.peer,
    destination: { ...to.peer, ...(values.domain ? { domain: values.domain } : {}) },
    protocol: to.protocol ?? "TCP",
    ...(to.port !== undefined ? { port: to.port } : {}),
  };
  let result: FlowResult;
  try {
    result = evaluateFlow(snapshot, flow);
  } catch (err) {
    if (err instanceof FlowError) throw new UsageError(err.message);
    throw err;
  }
  if (values.json) io.out(JSON.stringify(result, null, 2));
  else for (const line of formatResult(result)) io.out(line);
  return result.action === "Allow" ? EXIT_OK : EXIT_NEGATIVE;
}
