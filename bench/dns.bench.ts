/**
 * DNS proxy (agents/dns): latency added per answer (proxy vs a direct query to the same local
 * test resolver, same run), throughput with the learned cache updated on every answer, and the
 * heap used by 10 000 learned names with 5 addresses each (`heapUsed` delta around building it).
 *
 * The test resolver and the load client run in a child process (another core), so the
 * throughput figure is what the proxy's one thread sustains. The `onAnswer` hook does what the agent does: `LearnedCache.learn()` (match the names
 * against the domain sets, update entries) and wait for the change batch to be delivered to
 * an `onChange` that renders nft element lines.
 */
import { LearnedCache, type LearnedChanges } from "../agents/dns/learned-cache";
import { startDnsProxy, type DnsProxy } from "../agents/dns/proxy";
import { buildQuery, udpExchange, type Target } from "../agents/dns/testing/dns-client";
import type { Answer } from "dns-packet";
import { once } from "node:events";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { percentile, type BenchSuite } from "./harness";

const NAMES = 1000;
const LATENCY_SAMPLES = 3000;
const THROUGHPUT_MS = 3000;
const IN_FLIGHT = 256;

function zone(): Answer[] {
  const out: Answer[] = [];
  for (let i = 0; i < NAMES; i++) {
    out.push({ type: "CNAME", name: `www${i}.svc${i % 50}.bench.test`, ttl: 300, data: `edge${i}.cdn.test` });
    for (let k = 0; k < 4; k++) out.push({ type: "A", name: `edge${i}.cdn.test`, ttl: 60, data: `10.${(i >> 8) & 255}.${i & 255}.${k + 1}` });
  }
  return out;
}

function domainSets() {
  return Array.from({ length: 100 }, (_, i) => ({ id: `set${i}`, patterns: i < 50 ? [`*.svc${i}.bench.test`] : [`api${i}.other.test`, `*.x${i}.other.test`] }));
}

async function latency(target: Target, names: string[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const q = buildQuery(names[i % names.length]!);
    const t0 = performance.now();
    const r = await udpExchange(target, q);
    out.push(r.receivedAt - t0);
  }
  return out;
}

function renderElements(ch: LearnedChanges): number {
  let n = 0;
  for (const e of ch.added) n += `add element inet portcullis dns_${e.setId}_v${e.family} { ${e.ip} }\n`.length;
  for (const e of ch.removed) n += `delete element inet portcullis dns_${e.setId}_v${e.family} { ${e.ip} }\n`.length;
  return n;
}

export default {
  name: "dns",
  async run(report) {
    const worker = fork(fileURLToPath(new URL("../agents/dns/testing/load-worker.ts", import.meta.url)), { execArgv: ["--import", "tsx"] });
    worker.send({ cmd: "init", records: zone() });
    const [{ port }] = (await once(worker, "message")) as [{ port: number }];
    const server: Target = { host: "127.0.0.1", port };
    const cache = new LearnedCache({ onChange: (ch) => void renderElements(ch) });
    cache.setDomainSets(domainSets());
    const proxy: DnsProxy = await startDnsProxy({
      listen: { host: "127.0.0.1", port: 0 },
      upstreams: [{ host: server.host, port: server.port }],
      hooks: { onAnswer: (a) => cache.learn(a).then(() => undefined) },
    });
    const names = Array.from({ length: NAMES }, (_, i) => `www${i}.svc${i % 50}.bench.test`);
    try {
      // Warm-up (JIT, and the first answer for every name).
      await latency(server, names.slice(0, 200));
      for (const n of names) await udpExchange(proxy.address(), buildQuery(n));

      const direct = await latency(server, names);
      const viaProxy = await latency(proxy.address(), names);
      const d50 = percentile(direct, 50);
      const d99 = percentile(direct, 99);
      const p50 = percentile(viaProxy, 50);
      const p99 = percentile(viaProxy, 99);
      report({ name: "dns.proxy.latency.p50", value: p50, unit: "ms", baseline: d50, baselineLabel: "direct query" });
      report({ name: "dns.proxy.latency.p99", value: p99, unit: "ms", baseline: d99, baselineLabel: "direct query" });
      report({ name: "dns.proxy.added-latency.p50", value: Math.max(0, p50 - d50), unit: "ms", target: "< 0.5" });
      report({ name: "dns.proxy.added-latency.p99", value: Math.max(0, p99 - d99), unit: "ms", target: "< 2" });

      worker.send({ cmd: "load", target: proxy.address(), names, ms: THROUGHPUT_MS, inFlight: IN_FLIGHT });
      const [{ rate }] = (await once(worker, "message")) as [{ rate: number }];
      report({ name: "dns.proxy.throughput", value: rate, unit: "answers/s", target: ">= 10000" });
      const st = proxy.stats();
      if (st.hookTimeouts > 0 || st.servfail > 0) console.error(`dns bench: ${st.hookTimeouts} hook timeouts, ${st.servfail} SERVFAIL`);
    } finally {
      await proxy.stop();
      worker.send({ cmd: "stop" });
      await once(worker, "exit");
      await cache.close();
    }

    // Memory: 10 000 names x 5 addresses, all feeding one of the sets.
    // `--expose-gc` is not available to the bench runner; V8 still lets a running process
    // enable it, so the heap is measured after full collections rather than with stale garbage.
    setFlagsFromString("--expose-gc");
    const gc = (globalThis as { gc?: () => void }).gc ?? (runInNewContext("gc") as (() => void) | undefined);
    gc?.();
    const before = process.memoryUsage().heapUsed;
    const big = new LearnedCache({ sweepIntervalMs: 0, maxEntries: 1_000_000 });
    big.setDomainSets(domainSets());
    for (let i = 0; i < 10_000; i++) {
      void big.learn({
        clientIp: "10.244.0.10",
        names: [`www${i}.svc${i % 50}.bench.test`],
        addresses: Array.from({ length: 5 }, (_, k) => ({ ip: `10.${(i >> 8) & 255}.${i & 255}.${k + 1}`, family: 4 as const, ttl: 300 })),
      });
    }
    await big.flush();
    gc?.();
    const mb = (process.memoryUsage().heapUsed - before) / (1024 * 1024);
    report({ name: "dns.cache.heap.10k-names-x5", value: mb, unit: "MB", target: "< 200" });
    if (big.stats().entries !== 50_000) throw new Error(`expected 50 000 entries, got ${big.stats().entries}`);
    await big.close();
  },
} satisfies BenchSuite;
