/**
 * The bundle source: long-polls the console for signed bundles
 * (`GET {consoleUrl}/api/v1/agent/bundles?cluster=<name>&after=<N>`, bearer credential; 200 with
 * a SignedBundle, 204 when nothing newer arrived before the server's timeout), verifies each
 * with `verifyBundle` against the installed public key (refusing unsigned, tampered, other
 * cluster and older bundles, and reporting the refusal), keeps the last good bundle in
 * `<stateDir>/bundle.json` and starts from it when the console is unreachable.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BundleVerificationError, verifyBundle, type BundlePayload, type SignedBundle } from "../../server/policy/bundle";
import { nativeEd25519Verify } from "./native-verify";

export interface VerifiedBundle {
  signed: SignedBundle;
  payload: BundlePayload;
}

export interface BundleRefusal {
  reason: string;
  message: string;
  at: string;
}

export interface BundleSourceOptions {
  consoleUrl: string;
  cluster: string;
  publicKeyHex: string;
  /** Returns the agent's credential (re-read on every request, so a rotated token file works). */
  credential: () => string;
  stateDir: string;
  onBundle: (b: VerifiedBundle) => void;
  onRefused?: (r: BundleRefusal) => void;
  onError?: (err: unknown) => void;
  /** Client-side limit for one long-poll request (default 120 s). */
  requestTimeoutMs?: number;
  /** Backoff after an error: initial and maximum delay (default 1 s / 30 s). */
  backoffMs?: { initial: number; max: number };
}

export class BundleSource {
  private bundle: VerifiedBundle | null = null;
  private stopped = true;
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private sleepTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  readonly refusals: BundleRefusal[] = [];
  lastError: string | null = null;
  /** Whether the last request reached the console. */
  connected = false;

  constructor(private readonly opts: BundleSourceOptions) {}

  get current(): VerifiedBundle | null {
    return this.bundle;
  }

  private get file(): string {
    return path.join(this.opts.stateDir, "bundle.json");
  }

  /** Loads and re-verifies the last good bundle from disk; returns it, or null. */
  loadFromDisk(): VerifiedBundle | null {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return null;
    }
    try {
      const signed = JSON.parse(text) as SignedBundle;
      const payload = verifyBundle(signed, this.opts.publicKeyHex, { cluster: this.opts.cluster, verify: nativeEd25519Verify });
      this.bundle = { signed, payload };
      this.opts.onBundle(this.bundle);
      return this.bundle;
    } catch (err) {
      this.refuse(err, "stored bundle");
      return null;
    }
  }

  /** Verifies and accepts a bundle (from the console or a test); returns whether it was accepted. */
  accept(signed: unknown): boolean {
    let payload: BundlePayload;
    try {
      payload = verifyBundle(signed, this.opts.publicKeyHex, { cluster: this.opts.cluster, minRevision: this.bundle?.payload.revision, verify: nativeEd25519Verify });
    } catch (err) {
      this.refuse(err, "bundle from the console");
      return false;
    }
    const s = signed as SignedBundle;
    if (this.bundle && this.bundle.payload.revision === payload.revision) {
      if (this.bundle.signed.sha256 === s.sha256) return false;
      this.refuse(new BundleVerificationError("stale-revision", `bundle revision ${payload.revision} differs from the running bundle of the same revision`), "bundle from the console");
      return false;
    }
    const b: VerifiedBundle = { signed: { payload: s.payload, signature: s.signature, keyId: s.keyId, sha256: s.sha256 }, payload };
    this.bundle = b;
    this.persist(b.signed);
    this.opts.onBundle(b);
    return true;
  }

  private refuse(err: unknown, what: string): void {
    const r: BundleRefusal = {
      reason: err instanceof BundleVerificationError ? err.reason : "malformed",
      message: `${what} refused: ${err instanceof Error ? err.message : String(err)}`,
      at: new Date().toISOString(),
    };
    this.refusals.push(r);
    if (this.refusals.length > 50) this.refusals.shift();
    this.opts.onRefused?.(r);
  }

  private persist(signed: SignedBundle): void {
    mkdirSync(this.opts.stateDir, { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(signed));
    renameSync(tmp, this.file);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.pollLoop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.wake?.();
    await this.loop;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }

  private async pollLoop(): Promise<void> {
    const backoff = this.opts.backoffMs ?? { initial: 1000, max: 30_000 };
    let delay = backoff.initial;
    while (!this.stopped) {
      try {
        await this.pollOnce();
        delay = backoff.initial;
      } catch (err) {
        if (this.stopped) break;
        this.connected = false;
        this.lastError = err instanceof Error ? err.message : String(err);
        this.opts.onError?.(err);
        await this.sleep(delay);
        delay = Math.min(delay * 2, backoff.max);
      }
    }
  }

  /** One long-poll request. */
  async pollOnce(): Promise<void> {
    const url = new URL("/api/v1/agent/bundles", this.opts.consoleUrl);
    url.searchParams.set("cluster", this.opts.cluster);
    url.searchParams.set("after", String(this.bundle?.payload.revision ?? 0));
    this.abort = new AbortController();
    const timer = setTimeout(() => this.abort?.abort(), this.opts.requestTimeoutMs ?? 120_000);
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${this.opts.credential()}`, accept: "application/json" }, signal: this.abort.signal });
      this.connected = true;
      if (res.status === 204) {
        await res.arrayBuffer();
        return;
      }
      if (res.status !== 200) {
        const body = await res.text();
        throw new Error(`console answered ${res.status}: ${body.slice(0, 200)}`);
      }
      let body: unknown;
      const text = await res.text();
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      this.lastError = null;
      if (!this.accept(body)) {
        // A refused or repeated bundle: do not spin on it.
        await this.sleep(1000);
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
