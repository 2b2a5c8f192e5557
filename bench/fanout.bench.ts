/**
 * Publish -> every agent applied. Runs one real console (server/main.ts on an embedded
 * PostgreSQL in a temporary folder) and N simulated agents that speak the real protocol:
 * register with a bootstrap token, long-poll for bundles, verify the Ed25519 signature, and
 * report the applied revision. Measures, per publish, the time from the publish call to each
 * agent's status report being accepted. BENCH_AGENTS sets N (default 1000).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { register, reportStatus } from "../agents/console/client";
import { nativeEd25519Verify } from "../agents/bundle/native-verify";
import { verifyBundle } from "../server/policy/bundle";
import { percentile, type BenchSuite } from "./harness";

const N = Number(process.env.BENCH_AGENTS ?? 1000);
const PUBLISHES = 3;

async function waitReady(url: string, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`console exited with ${proc.exitCode}`);
    try {
      const r = await fetch(`${url}/api/ready`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("console did not become ready");
}

class Session {
  cookie = "";
  constructor(
    readonly base: string,
    readonly origin: string,
  ) {}
  async login(username: string, password: string) {
    const r = await fetch(`${this.base}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json", origin: this.origin }, body: JSON.stringify({ username, password }) });
    if (!r.ok) throw new Error(`login ${username}: ${r.status}`);
    this.cookie = (r.headers.get("set-cookie") ?? "").split(";")[0]!;
  }
  async post<T>(p: string, body: unknown = {}): Promise<T> {
    const r = await fetch(`${this.base}${p}`, { method: "POST", headers: { "content-type": "application/json", origin: this.origin, cookie: this.cookie }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`POST ${p}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  }
  async get<T>(p: string): Promise<T> {
    const r = await fetch(`${this.base}${p}`, { headers: { cookie: this.cookie } });
    if (!r.ok) throw new Error(`GET ${p}: ${r.status}`);
    return (await r.json()) as T;
  }
}

export default {
  name: "fanout",
  async run(report) {
    const dir = mkdtempSync(path.join(tmpdir(), "portcullis-fanout-"));
    const port = 3900 + Math.floor(Math.random() * 100);
    const base = `http://127.0.0.1:${port}`;
    // The console gets its own embedded database, whatever other suites left in this process's env.
    const { DATABASE_URL: _ignored, ...parentEnv } = process.env;
    const proc = spawn(path.resolve("node_modules/.bin/tsx"), ["server/main.ts", "--no-demo"], {
      env: { ...parentEnv, PORT: String(port), PORTCULLIS_DATA_DIR: dir, PORTCULLIS_EMBEDDED_PG_PORT: String(57000 + Math.floor(Math.random() * 1000)), PORTCULLIS_ADMIN_PASSWORD: "bench-admin-password", PORTCULLIS_LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const stopped = new Promise((r) => proc.once("exit", r));
    try {
      await waitReady(base, proc, 300_000);
      const admin = new Session(base, base);
      await admin.login("admin", "bench-admin-password");
      await admin.post("/api/v1/clusters", { name: "bench", displayName: "Bench" });
      await admin.post("/api/v1/users", { username: "approver", displayName: "Approver", password: "approver-password-1", roles: ["viewer", "approver"] });
      const approver = new Session(base, base);
      await approver.login("approver", "approver-password-1");
      const { token } = await admin.post<{ token: string }>("/api/v1/clusters/bench/bootstrap-tokens", { oneTime: false, expiresInHours: 1 });
      const { publicKey } = await admin.get<{ publicKey: string }>("/api/v1/signing-key");

      // Register the agents (20 at a time).
      const creds: string[] = [];
      for (let i = 0; i < N; i += 20) {
        const batch = await Promise.all(Array.from({ length: Math.min(20, N - i) }, (_, j) => register(base, token, { cluster: "bench", nodeName: `node-${i + j}`, version: "bench" })));
        creds.push(...batch.map((b) => b.credential));
      }

      let stop = false;
      let statusRetries = 0;
      const appliedAt = new Map<number, number[]>();
      const loops = creds.map(async (credential) => {
        let applied = 0;
        while (!stop) {
          try {
            const r = await fetch(`${base}/api/v1/agent/bundles?cluster=bench&after=${applied}&wait=30`, { headers: { authorization: `Bearer ${credential}` } });
            if (r.status === 204) continue;
            if (!r.ok) throw new Error(`bundle poll ${r.status}`);
            const signed = (await r.json()) as { sha256: string };
            const payload = verifyBundle(signed, publicKey, { cluster: "bench", minRevision: applied, verify: nativeEd25519Verify });
            applied = payload.revision;
            // Report until the console has it (it answers 503 with Retry-After when saturated).
            for (;;) {
              try {
                await reportStatus(base, credential, { appliedRevision: applied, bundleSha256: signed.sha256, lastError: null, rules: payload.resources.length });
                break;
              } catch {
                statusRetries++;
                await new Promise((r) => setTimeout(r, 250 + Math.random() * 500));
              }
            }
            const list = appliedAt.get(applied) ?? [];
            list.push(performance.now());
            appliedAt.set(applied, list);
          } catch (err) {
            if (!stop) await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
            void err;
          }
        }
      });
      // Let every agent settle into its long-poll.
      await new Promise((r) => setTimeout(r, 3000));

      const latencies: number[] = [];
      const perPublishP99: number[] = [];
      for (let k = 1; k <= PUBLISHES; k++) {
        const yaml = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: fanout-${k}\nspec:\n  nets: [192.0.2.${k}/32]\n`;
        const cr = await admin.post<{ id: string }>("/api/v1/clusters/bench/changes", { title: `Fan-out ${k}`, yaml });
        await admin.post(`/api/v1/changes/${cr.id}/submit`);
        await approver.post(`/api/v1/changes/${cr.id}/review`, { decision: "approve" });
        const t0 = performance.now();
        await approver.post(`/api/v1/changes/${cr.id}/publish`);
        const deadline = Date.now() + 60_000;
        while ((appliedAt.get(k)?.length ?? 0) < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        const times = (appliedAt.get(k) ?? []).map((t) => t - t0);
        if (times.length < N) throw new Error(`only ${times.length} of ${N} agents applied revision ${k} within 60 s`);
        latencies.push(...times);
        perPublishP99.push(percentile(times, 99));
        await new Promise((r) => setTimeout(r, 1500));
      }
      stop = true;
      report({ name: `fanout.agents`, value: N, unit: "agents" });
      report({ name: "fanout.status-reports-retried", value: statusRetries, unit: "reports" });
      report({ name: "fanout.publish-to-applied.p50", value: percentile(latencies, 50), unit: "ms" });
      report({ name: "fanout.publish-to-applied.p99", value: percentile(latencies, 99), unit: "ms", target: "< 3000" });
      report({ name: "fanout.publish-to-applied.max", value: Math.max(...latencies), unit: "ms" });
      report({ name: "fanout.publish-to-applied.p99.worst-publish", value: Math.max(...perPublishP99), unit: "ms" });
      proc.kill("SIGTERM");
      await Promise.race([Promise.allSettled(loops), new Promise((r) => setTimeout(r, 5000))]);
    } finally {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 15_000))]);
      rmSync(dir, { recursive: true, force: true });
    }
  },
} satisfies BenchSuite;
