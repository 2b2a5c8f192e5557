/**
 * Reading the agent's table back from the kernel (`nft -j list table inet portcullis`): a digest
 * that ignores handles, counter values and the elements of timeout sets (the kernel expires
 * those by itself; see the applier), to detect changes made behind the agent's back, and
 * per-chain rule counters (for status and metrics).
 */
import { createHash } from "node:crypto";
import { TABLE } from "../compiler/compile";
import type { NftRunner } from "./nft";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isTimeoutSet(v: { [k: string]: Json }): boolean {
  return Array.isArray(v.flags) && v.flags.includes("timeout");
}

function normalise(v: Json): Json {
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === "object") {
    const out: { [k: string]: Json } = {};
    const timed = isTimeoutSet(v);
    for (const k of Object.keys(v).sort()) {
      if (k === "handle" || k === "metainfo") continue;
      if (timed && k === "elem") continue;
      if (k === "counter" && v[k] && typeof v[k] === "object") {
        out[k] = {};
        continue;
      }
      out[k] = normalise(v[k]!);
    }
    return out;
  }
  return v;
}

export interface TableReadback {
  exists: boolean;
  digest: string | null;
  /** chain name → { packets, bytes } summed over the chain's rules with counters. */
  counters: Map<string, { packets: number; bytes: number; rules: number }>;
  rules: number;
  sets: number;
}

export async function readTable(runner: NftRunner): Promise<TableReadback> {
  let text: string;
  try {
    text = await runner.run(["-j", "list", "table", "inet", TABLE]);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/No such file or directory|does not exist/i.test(msg)) return { exists: false, digest: null, counters: new Map(), rules: 0, sets: 0 };
    throw err;
  }
  const doc = JSON.parse(text) as { nftables: Array<Record<string, Json>> };
  const items = doc.nftables.filter((i) => !("metainfo" in i));
  const digest = createHash("sha256").update(JSON.stringify(normalise(items as Json))).digest("hex");
  const counters = new Map<string, { packets: number; bytes: number; rules: number }>();
  let rules = 0;
  let sets = 0;
  for (const item of items) {
    if ("set" in item || "map" in item) sets++;
    const rule = item.rule as { chain?: string; expr?: Json[] } | undefined;
    if (!rule) continue;
    rules++;
    for (const e of rule.expr ?? []) {
      const c = e && typeof e === "object" && !Array.isArray(e) ? (e.counter as { packets?: number; bytes?: number } | undefined) : undefined;
      if (!c || typeof c !== "object") continue;
      const cur = counters.get(rule.chain ?? "") ?? { packets: 0, bytes: 0, rules: 0 };
      cur.packets += c.packets ?? 0;
      cur.bytes += c.bytes ?? 0;
      cur.rules++;
      counters.set(rule.chain ?? "", cur);
    }
  }
  return { exists: true, digest, counters, rules, sets };
}
