/**
 * The node side of egress that is not nftables: fwmark rules and per-assignment route tables
 * (iproute2), egress IPs on the uplink, and gratuitous ARP (`arping -U`, iputils) so the
 * underlay's neighbours learn the new holder at once. Optionally inside a network namespace
 * (`ip -n`, `ip netns exec`) for labs and tests.
 */
import { spawn } from "node:child_process";
import { cidrContainsIp, parseCidr } from "../../server/policy/cidr";
import type { RouteSpec, RuleSpec } from "./plan";

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCommand(cmd: string, args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e) => resolve({ code: null, stdout: "", stderr: e.message }));
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

export class HostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HostError";
  }
}

export interface HostOptions {
  uplink: string;
  netns?: string | undefined;
  /** Route tables the agent owns: (base, base + count]. */
  routeTableBase: number;
  tableCount: number;
  /** Skip gratuitous ARP (no arping installed); the neighbours then learn on their next ARP. */
  garp?: boolean | undefined;
  log?: ((msg: string) => void) | undefined;
}

interface JsonRule {
  priority?: number;
  fwmark?: string;
  fwmask?: string;
  table?: string;
}
interface JsonRoute {
  table?: string;
  type?: string;
  dst?: string;
}
interface JsonAddr {
  addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }>;
}

function lifetimeArgs(seconds: number | undefined): string[] {
  return seconds === undefined ? [] : ["valid_lft", String(seconds), "preferred_lft", String(seconds)];
}

export class Host {
  /** Gratuitous ARP runs started (for status/tests). */
  announcements = 0;

  constructor(private readonly opts: HostOptions) {}

  private ip(args: readonly string[]): Promise<CommandResult> {
    return runCommand("ip", this.opts.netns ? ["-n", this.opts.netns, ...args] : [...args]);
  }

  private async ipOk(args: readonly string[]): Promise<string> {
    const r = await this.ip(args);
    if (r.code !== 0) throw new HostError(`ip ${args.join(" ")} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout;
  }

  private owned(table: string | undefined): number | null {
    const n = Number(table);
    return Number.isInteger(n) && n > this.opts.routeTableBase && n <= this.opts.routeTableBase + this.opts.tableCount ? n : null;
  }

  /** Makes the fwmark rules exactly `rules` (among the rules pointing at the agent's tables). */
  async syncRules(rules: readonly RuleSpec[]): Promise<void> {
    const current = JSON.parse((await this.ipOk(["-j", "-4", "rule", "show"])) || "[]") as JsonRule[];
    const want = new Map<string, RuleSpec>(rules.map((r) => [`${r.priority}|${r.mark}|${r.mask}|${r.table}`, r]));
    const have = new Set<string>();
    for (const r of current) {
      const table = this.owned(r.table);
      if (table === null) continue;
      const key = `${r.priority}|${Number(r.fwmark ?? 0)}|${Number(r.fwmask ?? 0xffffffff)}|${table}`;
      if (want.has(key) && !have.has(key)) {
        have.add(key);
        continue;
      }
      const del = ["-4", "rule", "del", "priority", String(r.priority), "lookup", String(table)];
      if (r.fwmark) del.push("fwmark", r.fwmask ? `${r.fwmark}/${r.fwmask}` : r.fwmark);
      await this.ipOk(del);
    }
    for (const [key, r] of want) {
      if (have.has(key)) continue;
      await this.ipOk(["-4", "rule", "add", "priority", String(r.priority), "fwmark", `0x${r.mark.toString(16)}/0x${r.mask.toString(16)}`, "lookup", String(r.table)]);
    }
  }

  /** Sets each table's single default route; flushes the agent's tables not in `routes`. */
  async syncRoutes(routes: readonly RouteSpec[]): Promise<void> {
    for (const r of routes) {
      const words = r.route[0] === "default" && r.route[1] === "via" ? [...r.route, "dev", this.opts.uplink, "onlink"] : [...r.route];
      await this.ipOk(["-4", "route", "replace", ...words, "table", String(r.table)]);
    }
    const wanted = new Set(routes.map((r) => r.table));
    const current = JSON.parse((await this.ipOk(["-j", "-4", "route", "show", "table", "all"])) || "[]") as JsonRoute[];
    const stale = new Set<number>();
    for (const r of current) {
      const t = this.owned(r.table);
      if (t !== null && !wanted.has(t)) stale.add(t);
    }
    for (const t of stale) await this.ipOk(["-4", "route", "flush", "table", String(t)]);
  }

  /**
   * Makes the egress addresses on the uplink exactly `addresses`: adds missing ones (and
   * announces them), removes /32s inside `managedCidrs` (the pools) that are not wanted.
   * Returns the addresses added.
   */
  async syncAddresses(addresses: readonly string[], managedCidrs: readonly string[], lifetimeSeconds?: number): Promise<{ added: string[]; removed: string[] }> {
    const current = JSON.parse((await this.ipOk(["-j", "-4", "addr", "show", "dev", this.opts.uplink])) || "[]") as JsonAddr[];
    const have = new Set<string>();
    for (const link of current) for (const a of link.addr_info ?? []) if (a.family === "inet" && a.prefixlen === 32 && a.local) have.add(a.local);
    const managed = managedCidrs.flatMap((c) => {
      try {
        return [parseCidr(c, { strict: false })];
      } catch {
        return [];
      }
    });
    const want = new Set(addresses);
    const removed: string[] = [];
    for (const a of have) {
      if (want.has(a) || !managed.some((c) => cidrContainsIp(c, a))) continue;
      await this.ipOk(["-4", "addr", "del", `${a}/32`, "dev", this.opts.uplink]);
      removed.push(a);
    }
    const added: string[] = [];
    for (const a of want) {
      if (have.has(a)) continue;
      await this.ipOk(["-4", "addr", "add", `${a}/32`, "dev", this.opts.uplink, ...lifetimeArgs(lifetimeSeconds)]);
      added.push(a);
    }
    return { added, removed };
  }

  /**
   * Adds egress addresses to the uplink (those already there are left alone). With a lifetime,
   * the kernel removes the address by itself unless `refreshAddresses` renews it first: a holder
   * whose agent dies (so nothing fences it) loses the IP within about one lease.
   */
  async addAddresses(addresses: readonly string[], lifetimeSeconds?: number): Promise<void> {
    for (const a of addresses) {
      const r = await this.ip(["-4", "addr", "add", `${a}/32`, "dev", this.opts.uplink, ...lifetimeArgs(lifetimeSeconds)]);
      if (r.code !== 0 && !/File exists|already assigned/i.test(r.stderr)) throw new HostError(`ip addr add ${a}/32 dev ${this.opts.uplink} failed: ${r.stderr.trim()}`);
    }
  }

  /** Extends the kernel lifetime of egress addresses this node still serves. */
  async refreshAddresses(addresses: readonly string[], lifetimeSeconds: number): Promise<void> {
    for (const a of addresses) {
      const r = await this.ip(["-4", "addr", "change", `${a}/32`, "dev", this.opts.uplink, ...lifetimeArgs(lifetimeSeconds)]);
      if (r.code !== 0) throw new HostError(`ip addr change ${a}/32 dev ${this.opts.uplink} failed: ${r.stderr.trim()}`);
    }
  }

  /** Unsolicited ARP for `ip` from the uplink (two packets, in the background). */
  announce(ip: string): void {
    if (this.opts.garp === false) return;
    this.announcements++;
    const args = ["-q", "-U", "-c", "2", "-w", "2", "-I", this.opts.uplink, ip];
    const [cmd, full] = this.opts.netns ? ["ip", ["netns", "exec", this.opts.netns, "arping", ...args]] : ["arping", args];
    void runCommand(cmd, full).then((r) => {
      if (r.code !== 0 && r.code !== 1) this.opts.log?.(`gratuitous ARP for ${ip} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
    });
  }
}
