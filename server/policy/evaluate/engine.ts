/**
 * Flow evaluation (reference §3): tiers, policies, rules, Pass, end-of-tier,
 * profiles, staged previews.
 */
import { parseIp, type ParsedIp } from "../cidr";
import { normaliseDomainName } from "../domain";
import { protocolNumber } from "../resources/rule";
import {
  policySelects,
  type ApplicableTier,
  type CompiledEndpoint,
  type CompiledEntity,
  type CompiledPolicy,
  type CompiledRule,
  type CompiledSnapshot,
  type PolicySet,
  type PortMatcher,
} from "./compile";
import {
  FlowError,
  type Direction,
  type DirectionResult,
  type Flow,
  type FlowPeer,
  type FlowResult,
  type PeerSummary,
  type StagedPreview,
  type TraceStep,
  type Verdict,
} from "./types";

/** One end of a flow, resolved against the snapshot. */
interface Party {
  ip: ParsedIp | null;
  endpoint: CompiledEndpoint | null;
  /** Normalised domain name the IP was learned for (destination only). */
  domain: string | null;
  port: number | undefined;
}

interface FlowCtx {
  family: 4 | 6;
  protocol: number;
  icmp: Flow["icmp"];
  source: Party;
  destination: Party;
}

// ---------------------------------------------------------------------------
// Matching

function portMatches(m: PortMatcher, party: Party, protocol: number): boolean {
  const port = party.port;
  if (port === undefined) return false;
  if (m.kind === "range") return port >= m.min && port <= m.max;
  const ep = party.endpoint;
  if (!ep) return false;
  for (const np of ep.namedPorts) {
    if (np.name === m.name && np.port === port && np.protocol === protocol) return true;
  }
  return false;
}

function anyPort(list: readonly PortMatcher[], party: Party, protocol: number): boolean {
  for (const m of list) if (portMatches(m, party, protocol)) return true;
  return false;
}

function entityMatches(e: CompiledEntity, party: Party, ctx: FlowCtx, domainsFromSets: boolean): boolean {
  if (e.services) return false;
  const ip = party.ip;
  if (e.nets) {
    const set = ctx.family === 4 ? e.nets.v4 : e.nets.v6;
    if (!set || !ip || !set.hasParsed(ip)) return false;
  }
  if (e.notNets && ip) {
    const set = ctx.family === 4 ? e.notNets.v4 : e.notNets.v6;
    if (set && set.hasParsed(ip)) return false;
  }
  if (e.domains) {
    let ok = false;
    if (party.domain !== null) {
      for (const d of e.domains) {
        if (d.matches(party.domain)) {
          ok = true;
          break;
        }
      }
    }
    if (!ok && e.selector) ok = selectorMatches(e, party, domainsFromSets);
    if (!ok) return false;
  } else if (e.selector && !selectorMatches(e, party, domainsFromSets)) {
    return false;
  }
  if (e.notSelector) {
    const ns = e.notSelector;
    if (party.endpoint && ns.matchesEndpoint(party.endpoint)) return false;
    if (ip && ns.containsIp(ip)) return false;
  }
  if (e.ports && !anyPort(e.ports, party, ctx.protocol)) return false;
  if (e.notPorts && anyPort(e.notPorts, party, ctx.protocol)) return false;
  return true;
}

function selectorMatches(e: CompiledEntity, party: Party, domainsFromSets: boolean): boolean {
  const s = e.selector!;
  if (party.endpoint && s.matchesEndpoint(party.endpoint)) return true;
  if (party.ip && s.containsIp(party.ip)) return true;
  if (domainsFromSets && party.domain !== null && s.domainSets.length > 0 && s.setsForDomain(party.domain).length > 0) return true;
  return false;
}

function icmpMatches(m: { type?: number | undefined; code?: number | undefined }, ctx: FlowCtx): boolean {
  if (ctx.protocol !== 1 && ctx.protocol !== 58) return false;
  if (m.type === undefined) return true;
  if (!ctx.icmp || ctx.icmp.type !== m.type) return false;
  return m.code === undefined || ctx.icmp.code === m.code;
}

export function ruleMatches(rule: CompiledRule, ctx: FlowCtx): boolean {
  if (ctx.family === 4 ? rule.omit4 : rule.omit6) return false;
  if (rule.ipVersion !== undefined && rule.ipVersion !== ctx.family) return false;
  if (rule.protocol !== undefined && rule.protocol !== ctx.protocol) return false;
  if (rule.notProtocol !== undefined && rule.notProtocol === ctx.protocol) return false;
  if (rule.icmp && !icmpMatches(rule.icmp, ctx)) return false;
  if (rule.notIcmp && icmpMatches(rule.notIcmp, ctx)) return false;
  if (!entityMatches(rule.source, ctx.source, ctx, false)) return false;
  return entityMatches(rule.destination, ctx.destination, ctx, rule.destinationDomainsFromSets);
}

// ---------------------------------------------------------------------------
// Explanations for the deciding rule

function explain(rule: CompiledRule, ctx: FlowCtx): string | undefined {
  const notes: string[] = [];
  const side = (name: "source" | "destination", e: CompiledEntity, party: Party, domainsFromSets: boolean) => {
    if (party.domain !== null && e.domains) {
      const d = e.domains.find((p) => p.matches(party.domain!));
      if (d) notes.push(`${name} domain ${party.domain} matches ${d.text}`);
    }
    if (e.selector && party.ip) {
      const sets = e.selector.setsContaining(party.ip);
      if (sets.length) notes.push(`${name} ${party.ip.text} is in ${sets.map((s) => s.display).join(", ")}`);
    }
    if (e.selector && domainsFromSets && party.domain !== null) {
      const sets = e.selector.setsForDomain(party.domain);
      if (sets.length) notes.push(`${name} domain ${party.domain} is allowed by ${sets.map((s) => s.display).join(", ")}`);
    }
  };
  side("source", rule.source, ctx.source, false);
  side("destination", rule.destination, ctx.destination, rule.destinationDomainsFromSets);
  return notes.length ? notes.join("; ") : undefined;
}

// ---------------------------------------------------------------------------
// Direction evaluation

function applicableTiers(set: PolicySet, ep: CompiledEndpoint, direction: Direction): ApplicableTier[] {
  let byDir = ep.applicable[set.id];
  if (!byDir) ep.applicable[set.id] = byDir = new Map();
  let list = byDir.get(direction);
  if (list) return list;
  list = [];
  for (const t of set.tiers) {
    const policies = t.policies.filter((p) => (p.types.size === 0 || p.types.has(direction)) && policySelects(p, ep));
    if (policies.length) list.push({ tier: t.tier, policies });
  }
  byDir.set(direction, list);
  return list;
}

const ACTION_WORDS = { Allow: "allowed", Deny: "denied", Pass: "passed to next tier", Log: "logged" } as const;

function ruleStep(p: CompiledPolicy, rule: CompiledRule, ctx: FlowCtx, direction: Direction): TraceStep {
  const where = `${p.display} ${direction} rule ${rule.index} (tier ${p.tier})`;
  const message =
    rule.action === "Log" ? `logged by ${where}; evaluation continues` : `${ACTION_WORDS[rule.action]} by ${where}`;
  const detail = rule.action === "Log" ? undefined : explain(rule, ctx);
  return {
    kind: "rule",
    tier: p.tier,
    policy: p.ref,
    ruleIndex: rule.index,
    action: rule.action,
    message,
    ...(detail ? { detail } : {}),
  };
}

interface Outcome {
  verdict: Verdict;
  decidedBy: TraceStep;
  trace: TraceStep[];
}

function runDirection(set: PolicySet, ep: CompiledEndpoint, direction: Direction, ctx: FlowCtx): Outcome {
  const trace: TraceStep[] = [];
  const tiers = applicableTiers(set, ep, direction);
  for (const { tier, policies } of tiers) {
    let passed = false;
    // The enforced set holds no staged policies; in the simulated set staged Set policies act as enforced ones.
    const enforced = policies;
    policyLoop: for (const p of enforced) {
      const rules = direction === "ingress" ? p.ingress : p.egress;
      for (const rule of rules) {
        if (!ruleMatches(rule, ctx)) continue;
        const step = ruleStep(p, rule, ctx, direction);
        trace.push(step);
        switch (rule.action) {
          case "Allow":
            return { verdict: "Allow", decidedBy: step, trace };
          case "Deny":
            return { verdict: "Deny", decidedBy: step, trace };
          case "Pass":
            passed = true;
            break policyLoop;
          case "Log":
            break;
        }
      }
    }
    if (!passed && enforced.length > 0) {
      if (tier.defaultAction === "Pass") {
        trace.push({
          kind: "end-of-tier",
          tier: tier.name,
          action: "Pass",
          message: `end of tier ${tier.name}: no rule matched; the tier's defaultAction Pass passed to next tier`,
        });
      } else {
        const step: TraceStep = {
          kind: "end-of-tier",
          tier: tier.name,
          action: "Deny",
          message: `end of tier ${tier.name}: no rule matched (${enforced.map((p) => p.display).join(", ")} select${enforced.length === 1 ? "s" : ""} the pod), so the tier's default deny applies`,
        };
        trace.push(step);
        return { verdict: "Deny", decidedBy: step, trace };
      }
    }
  }
  const step: TraceStep =
    tiers.length === 0
      ? { kind: "no-policy", message: `no policy selects the pod for ${direction}; namespace profile kns.${ep.namespace} allows` }
      : { kind: "profile", message: `passed through the last applicable tier; namespace profile kns.${ep.namespace} allows` };
  trace.push(step);
  return { verdict: "Allow", decidedBy: step, trace };
}

function stagedRelevant(snap: CompiledSnapshot, ep: CompiledEndpoint, direction: Direction): CompiledPolicy[] {
  let byDir = ep.stagedRelevant;
  if (!byDir) ep.stagedRelevant = byDir = new Map();
  let list = byDir.get(direction);
  if (!list) {
    list = snap.stagedParticipants.filter((p) => (p.types.size === 0 || p.types.has(direction)) && policySelects(p, ep));
    byDir.set(direction, list);
  }
  return list;
}

function evaluateDirection(snap: CompiledSnapshot, ep: CompiledEndpoint, direction: Direction, ctx: FlowCtx): DirectionResult {
  const actual = runDirection(snap.enforced, ep, direction, ctx);
  const result: DirectionResult = { endpoint: ep.key, verdict: actual.verdict, decidedBy: actual.decidedBy, trace: actual.trace };
  if (snap.simulated) {
    const participants = stagedRelevant(snap, ep, direction);
    if (participants.length > 0) {
      const sim = runDirection(snap.simulated, ep, direction, ctx);
      const preview: StagedPreview = {
        verdict: sim.verdict,
        decidedBy: sim.decidedBy,
        trace: sim.trace,
        policies: participants.map((p) => p.ref),
        changed: sim.verdict !== actual.verdict,
      };
      result.staged = preview;
      if (preview.changed) {
        const by = sim.decidedBy.kind === "rule" || sim.decidedBy.kind === "end-of-tier" ? `: ${sim.decidedBy.message}` : "";
        result.trace = [
          ...actual.trace,
          {
            kind: "staged",
            verdict: sim.verdict,
            message: sim.verdict === "Deny" ? `staged policy would deny${by}` : `staged policies would allow${by}`,
          },
        ];
      }
    }
  }
  return result;
}

// ---------------------------------------------------------------------------
// Flow resolution

function parseFlowIp(text: string, where: string): ParsedIp {
  try {
    return parseIp(text);
  } catch {
    throw new FlowError(`${where}: "${text}" is not an IP address`);
  }
}

function resolvePeer(snap: CompiledSnapshot, peer: FlowPeer, where: string): { endpoint: CompiledEndpoint | null; ip: ParsedIp | null } {
  if (peer.pod !== undefined) {
    const key = peer.pod.includes("/") ? peer.pod : `default/${peer.pod}`;
    const ep = snap.endpointsByKey.get(key);
    if (!ep) throw new FlowError(`${where}: no pod ${key} in the snapshot`);
    return { endpoint: ep, ip: null };
  }
  if (peer.ip !== undefined) {
    const ip = parseFlowIp(peer.ip, where);
    return { endpoint: snap.endpointsByIp.get(ip.text) ?? null, ip };
  }
  throw new FlowError(`${where}: expected { pod: "ns/name" } or { ip }`);
}

function pickIp(ep: CompiledEndpoint, family: 4 | 6 | null): ParsedIp | null {
  if (family === null) return ep.ips[0] ?? null;
  return ep.ips.find((i) => i.family === family) ?? null;
}

function summary(snap: CompiledSnapshot, party: Party, domain?: string): PeerSummary {
  const out: PeerSummary = { external: party.endpoint === null };
  if (party.ip) out.ip = party.ip.text;
  if (party.endpoint) out.pod = party.endpoint.key;
  if (domain) out.domain = domain;
  if (party.ip) {
    const ip = party.ip;
    const sets = snap.networkSets.filter((s) => s.set.hasParsed(ip)).map((s) => s.display);
    if (sets.length) out.networkSets = sets;
  }
  return out;
}

/** Evaluates one flow against a compiled snapshot. Throws FlowError for an invalid flow. */
export function evaluateCompiled(snap: CompiledSnapshot, flow: Flow, opts: { summaries?: boolean } = {}): FlowResult {
  const src = resolvePeer(snap, flow.source, "source");
  const dst = resolvePeer(snap, flow.destination, "destination");
  if (flow.protocol === undefined || flow.protocol === null || flow.protocol === "") throw new FlowError("protocol is required");
  const protocol = protocolNumber(flow.protocol);
  if (!Number.isInteger(protocol) || protocol < 0 || protocol > 255) throw new FlowError(`unknown protocol ${JSON.stringify(flow.protocol)}`);
  if (flow.port !== undefined && (!Number.isInteger(flow.port) || flow.port < 0 || flow.port > 65535)) {
    throw new FlowError(`port ${flow.port} must be an integer 0-65535`);
  }

  // Address family: from an explicit IP, else the pods' first common family.
  let family: 4 | 6 | null = src.ip?.family ?? dst.ip?.family ?? null;
  if (src.ip && dst.ip && src.ip.family !== dst.ip.family) throw new FlowError("source and destination IPs are of different families");
  if (family === null) {
    const s = src.endpoint!;
    const d = dst.endpoint!;
    family = s.ips.some((i) => i.family === 4) && d.ips.some((i) => i.family === 4) ? 4 : s.ips.some((i) => i.family === 6) && d.ips.some((i) => i.family === 6) ? 6 : (s.ips[0]?.family ?? d.ips[0]?.family ?? 4);
  }
  const srcIp = src.ip ?? (src.endpoint ? pickIp(src.endpoint, family) : null);
  const dstIp = dst.ip ?? (dst.endpoint ? pickIp(dst.endpoint, family) : null);

  let domain: string | null = null;
  const rawDomain = flow.destination.domain;
  if (rawDomain !== undefined && rawDomain !== "") {
    try {
      domain = normaliseDomainName(rawDomain);
    } catch (err) {
      throw new FlowError(`destination domain ${JSON.stringify(rawDomain)}: ${(err as Error).message}`);
    }
  }

  const ctx: FlowCtx = {
    family,
    protocol,
    icmp: flow.icmp,
    source: { ip: srcIp, endpoint: src.endpoint, domain: null, port: flow.sourcePort },
    destination: { ip: dstIp, endpoint: dst.endpoint, domain, port: flow.port },
  };

  const egress = src.endpoint ? evaluateDirection(snap, src.endpoint, "egress", ctx) : null;
  const ingress = dst.endpoint ? evaluateDirection(snap, dst.endpoint, "ingress", ctx) : null;
  const action: Verdict = (egress?.verdict ?? "Allow") === "Allow" && (ingress?.verdict ?? "Allow") === "Allow" ? "Allow" : "Deny";
  const result: FlowResult = {
    action,
    egress,
    ingress,
    source: opts.summaries === false ? { external: ctx.source.endpoint === null } : summary(snap, ctx.source),
    destination: opts.summaries === false ? { external: ctx.destination.endpoint === null } : summary(snap, ctx.destination, domain ?? undefined),
    protocol,
    ipFamily: family,
  };
  if (flow.port !== undefined) result.port = flow.port;
  if (egress?.staged || ingress?.staged) {
    const e = egress?.staged?.verdict ?? egress?.verdict ?? "Allow";
    const i = ingress?.staged?.verdict ?? ingress?.verdict ?? "Allow";
    result.stagedAction = e === "Allow" && i === "Allow" ? "Allow" : "Deny";
  }
  return result;
}
