/**
 * Policy rules and entity rules (reference §2.3, §2.4, §5) with the
 * cross-field validation of Calico's validator.
 */
import { z } from "zod";
import { CidrError, parseCidr, type Cidr } from "../cidr";
import { DomainPatternError, parseDomainPattern } from "../domain";
import { isDnsSubdomain, selectorField } from "./common";

export const RULE_ACTIONS = ["Allow", "Deny", "Log", "Pass"] as const;
export type TRuleAction = (typeof RULE_ACTIONS)[number];

export const PROTOCOL_NAMES = ["TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite"] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

export const PROTOCOL_NUMBERS: Readonly<Record<ProtocolName, number>> = {
  TCP: 6,
  UDP: 17,
  ICMP: 1,
  ICMPv6: 58,
  SCTP: 132,
  UDPLite: 136,
};

/** Protocol name or number → IANA number. */
export function protocolNumber(p: string | number): number {
  if (typeof p === "number") return p;
  const n = PROTOCOL_NUMBERS[p as ProtocolName];
  if (n !== undefined) return n;
  const ci = PROTOCOL_NAMES.find((name) => name.toLowerCase() === p.toLowerCase());
  if (ci) return PROTOCOL_NUMBERS[ci];
  const num = Number(p);
  return Number.isInteger(num) ? num : -1;
}

export const ZProtocol = z.custom<ProtocolName | number>(
  (v) => (typeof v === "string" && (PROTOCOL_NAMES as readonly string[]).includes(v)) || (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 255),
  { error: `protocol must be one of ${PROTOCOL_NAMES.join(", ")} (exact case) or a number 1-255` },
);
export type TProtocol = z.output<typeof ZProtocol>;

export const ZIcmpFields = z.strictObject({
  type: z.int({ error: "icmp type must be an integer 0-254" }).min(0).max(254, { error: "icmp type must be 0-254 (255 is reserved)" }).optional(),
  code: z.int({ error: "icmp code must be an integer 0-255" }).min(0).max(255).optional(),
}).superRefine((v, ctx) => {
  if (v.code !== undefined && v.type === undefined) {
    ctx.addIssue({ code: "custom", message: "icmp code requires icmp type", path: ["code"] });
  }
});
export type TIcmpFields = z.output<typeof ZIcmpFields>;

const NAMED_PORT_RE = /^[A-Za-z0-9_.-]{1,128}$/;

export type ParsedPort = { kind: "range"; min: number; max: number } | { kind: "named"; name: string };

/** Parses one port item: a number, "a:b", a numeric string, or a named port. Throws Error with a message. */
export function parsePortItem(item: number | string): ParsedPort {
  if (typeof item === "number") {
    if (!Number.isInteger(item) || item < 0 || item > 65535) throw new Error(`port ${item} must be an integer 0-65535`);
    return { kind: "range", min: item, max: item };
  }
  if (/^\d+$/.test(item)) return parsePortItem(Number(item));
  const m = /^(\d+):(\d+)$/.exec(item);
  if (m) {
    const min = Number(m[1]);
    const max = Number(m[2]);
    if (min > 65535 || max > 65535) throw new Error(`port range "${item}" must be within 0-65535`);
    if (min > max) throw new Error(`port range "${item}": the start is greater than the end`);
    return { kind: "range", min, max };
  }
  if (item.includes(":")) throw new Error(`port "${item}" must be a number, a range "min:max" or a named port`);
  if (!NAMED_PORT_RE.test(item)) {
    throw new Error(`named port "${item}" must be 1-128 characters from [A-Za-z0-9_.-]`);
  }
  return { kind: "named", name: item };
}

export const ZPort = z.union([z.number(), z.string()], { error: "port must be a number, a range \"min:max\" or a named port" }).superRefine((v, ctx) => {
  try {
    parsePortItem(v);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : String(err) });
  }
});
export type TPort = z.output<typeof ZPort>;

function cidrField(strict: boolean) {
  return z.string({ error: "a network must be a string CIDR such as 10.0.0.0/8" }).superRefine((s, ctx) => {
    try {
      parseCidr(s, { strict });
    } catch (err) {
      if (err instanceof CidrError) {
        ctx.addIssue({ code: "custom", message: err.message });
      } else throw err;
    }
  });
}
/** Rule nets: strictly masked CIDRs (a bare IP is a /32 or /128). */
export const ZStrictCidr = cidrField(true);
/** Network set nets: CIDRs or IPs, host bits allowed. */
export const ZLooseCidr = cidrField(false);

export const ZDomainPattern = z.string({ error: "a domain must be a string" }).superRefine((s, ctx) => {
  try {
    parseDomainPattern(s);
  } catch (err) {
    if (err instanceof DomainPatternError) ctx.addIssue({ code: "custom", message: err.message });
    else throw err;
  }
});

export const ZServiceAccountMatch = z.strictObject({
  names: z
    .array(
      z.string().superRefine((n, ctx) => {
        if (!isDnsSubdomain(n)) ctx.addIssue({ code: "custom", message: `service account name "${n}" must be a DNS subdomain` });
      }),
    )
    .optional(),
  selector: selectorField().optional(),
});
export type TServiceAccountMatch = z.output<typeof ZServiceAccountMatch>;

export const ZServiceMatch = z.strictObject({
  name: z.string().min(1, { error: "service name is required" }),
  namespace: z.string().optional(),
});

export const ZEntityRule = z.strictObject({
  nets: z.array(ZStrictCidr).max(256, { error: "at most 256 nets" }).optional(),
  notNets: z.array(ZStrictCidr).max(256, { error: "at most 256 notNets" }).optional(),
  selector: selectorField().optional(),
  notSelector: selectorField().optional(),
  namespaceSelector: selectorField({ allowGlobal: true }).optional(),
  ports: z.array(ZPort).max(50, { error: "at most 50 ports" }).optional(),
  notPorts: z.array(ZPort).max(50, { error: "at most 50 notPorts" }).optional(),
  serviceAccounts: ZServiceAccountMatch.optional(),
  services: ZServiceMatch.optional(),
  domains: z.array(ZDomainPattern).optional(),
});
export type TEntityRule = z.output<typeof ZEntityRule>;

export const ZHttpMatch = z.strictObject({
  methods: z.array(z.string()).optional(),
  paths: z
    .array(
      z.strictObject({ exact: z.string().optional(), prefix: z.string().optional() }).superRefine((p, ctx) => {
        if ((p.exact === undefined) === (p.prefix === undefined)) {
          ctx.addIssue({ code: "custom", message: "an HTTP path match needs exactly one of exact or prefix" });
        }
      }),
    )
    .optional(),
});

export const ZRuleMetadata = z.strictObject({
  annotations: z.record(z.string(), z.string()).optional(),
});

const ruleShape = {
  metadata: ZRuleMetadata.optional(),
  action: z.enum(RULE_ACTIONS, { error: "action must be one of Allow, Deny, Log, Pass" }),
  ipVersion: z.union([z.literal(4), z.literal(6)], { error: "ipVersion must be 4 or 6" }).optional(),
  protocol: ZProtocol.optional(),
  notProtocol: ZProtocol.optional(),
  icmp: ZIcmpFields.optional(),
  notICMP: ZIcmpFields.optional(),
  source: ZEntityRule.optional(),
  destination: ZEntityRule.optional(),
  http: ZHttpMatch.optional(),
};

const PORT_PROTOCOLS = new Set([6, 17, 132]);

type Direction = "ingress" | "egress";
type RuleInput = z.output<z.ZodObject<typeof ruleShape>>;
type Ctx = z.RefinementCtx;

function tryParseCidr(s: string): Cidr | null {
  try {
    return parseCidr(s, { strict: false });
  } catch {
    return null;
  }
}

function checkRule(rule: RuleInput, direction: Direction, ctx: Ctx): void {
  const proto = rule.protocol === undefined ? undefined : protocolNumber(rule.protocol);

  // ICMP fields need an ICMP protocol whose family agrees with ipVersion.
  for (const field of ["icmp", "notICMP"] as const) {
    if (rule[field] === undefined) continue;
    if (proto !== 1 && proto !== 58) {
      ctx.addIssue({ code: "custom", message: `${field} requires protocol ICMP or ICMPv6`, path: [field] });
    }
  }
  if (rule.ipVersion !== undefined && proto !== undefined) {
    if ((rule.ipVersion === 4 && proto === 58) || (rule.ipVersion === 6 && proto === 1)) {
      ctx.addIssue({
        code: "custom",
        message: `protocol ${String(rule.protocol)} does not agree with ipVersion ${rule.ipVersion} (ICMP is IPv4, ICMPv6 is IPv6)`,
        path: ["protocol"],
      });
    }
  }

  // CIDR families: no mixing across the rule, agreement with ipVersion, notNets not /0.
  const families = new Set<number>();
  for (const side of ["source", "destination"] as const) {
    const e = rule[side];
    if (!e) continue;
    for (const field of ["nets", "notNets"] as const) {
      e[field]?.forEach((text, i) => {
        const c = tryParseCidr(text);
        if (!c) return;
        families.add(c.family);
        if (rule.ipVersion !== undefined && c.family !== rule.ipVersion) {
          ctx.addIssue({
            code: "custom",
            message: `"${text}" is an IPv${c.family} network but the rule has ipVersion ${rule.ipVersion}`,
            path: [side, field, i],
          });
        }
        if (field === "notNets" && c.prefix === 0) {
          ctx.addIssue({ code: "custom", message: `notNets must not contain "${text}": it would match nothing`, path: [side, field, i] });
        }
      });
    }
  }
  if (families.size > 1) {
    ctx.addIssue({ code: "custom", message: "a rule may not mix IPv4 and IPv6 networks across its nets and notNets", path: [] });
  }

  // Ports need TCP/UDP/SCTP unless named; a protocol without ports rejects any ports.
  for (const side of ["source", "destination"] as const) {
    const e = rule[side];
    if (!e) continue;
    for (const field of ["ports", "notPorts"] as const) {
      e[field]?.forEach((item, i) => {
        let parsed: ReturnType<typeof parsePortItem>;
        try {
          parsed = parsePortItem(item);
        } catch {
          return;
        }
        if (proto !== undefined && !PORT_PROTOCOLS.has(proto)) {
          ctx.addIssue({
            code: "custom",
            message: `protocol ${String(rule.protocol)} does not support ports: ports need protocol TCP, UDP or SCTP`,
            path: [side, field, i],
          });
        } else if (proto === undefined && parsed.kind === "range") {
          ctx.addIssue({
            code: "custom",
            message: "numeric ports need protocol TCP, UDP or SCTP (only named ports are allowed without a protocol)",
            path: [side, field, i],
          });
        }
      });
    }
  }

  // services: egress destination or ingress source only, and alone.
  for (const side of ["source", "destination"] as const) {
    const e = rule[side];
    if (!e?.services) continue;
    const allowedSide = direction === "egress" ? "destination" : "source";
    if (side !== allowedSide) {
      ctx.addIssue({
        code: "custom",
        message: `services is only allowed in the ${allowedSide} of ${direction} rules`,
        path: [side, "services"],
      });
    }
    for (const f of ["selector", "notSelector", "namespaceSelector", "nets", "notNets", "serviceAccounts"] as const) {
      if (e[f] !== undefined) {
        ctx.addIssue({ code: "custom", message: `services cannot be combined with ${f}`, path: [side, f] });
      }
    }
    if (side === "destination") {
      for (const f of ["ports", "notPorts"] as const) {
        if (e[f] !== undefined) {
          ctx.addIssue({ code: "custom", message: `destination ${f} are not allowed with services (the service defines the ports)`, path: [side, f] });
        }
      }
    }
  }

  // domains: egress Allow destination only, not with nets/selector.
  if (rule.source?.domains !== undefined) {
    ctx.addIssue({ code: "custom", message: "domains are only allowed in the destination of egress Allow rules", path: ["source", "domains"] });
  }
  const d = rule.destination;
  if (d?.domains !== undefined) {
    if (direction !== "egress") {
      ctx.addIssue({ code: "custom", message: "domains are only allowed in egress rules", path: ["destination", "domains"] });
    } else if (rule.action !== "Allow") {
      ctx.addIssue({ code: "custom", message: `domains are only allowed with action Allow (not ${rule.action})`, path: ["destination", "domains"] });
    }
    if (d.nets !== undefined) {
      ctx.addIssue({ code: "custom", message: "destination nets cannot be combined with domains", path: ["destination", "nets"] });
    }
    if (d.selector !== undefined) {
      ctx.addIssue({ code: "custom", message: "destination selector cannot be combined with domains", path: ["destination", "selector"] });
    }
  }

  // http: Allow, TCP, ingress only.
  if (rule.http !== undefined) {
    if (rule.action !== "Allow") ctx.addIssue({ code: "custom", message: "http matches are only allowed with action Allow", path: ["http"] });
    if (proto !== 6) ctx.addIssue({ code: "custom", message: "http matches need protocol TCP", path: ["http"] });
    if (direction === "egress") ctx.addIssue({ code: "custom", message: "http matches are not allowed in egress rules", path: ["http"] });
  }
}

function makeRule(direction: Direction) {
  return z.strictObject(ruleShape).superRefine((rule, ctx) => checkRule(rule, direction, ctx));
}

export const ZIngressRule = makeRule("ingress");
export const ZEgressRule = makeRule("egress");
export type TRule = z.output<typeof ZIngressRule>;
