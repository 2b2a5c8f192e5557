import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compileDomainSets, LEARNED_STATE_FILE, LearnedCache, matchDomainSets, type LearnedCacheOptions, type LearnedChanges } from "./learned-cache";
import type { LearnedAnswer } from "./answer";

const T0 = 1_700_000_000_000;

function answer(names: string[], ips: Array<string | [string, number]>, clientIp = "10.0.0.5"): LearnedAnswer {
  return {
    clientIp,
    names,
    addresses: ips.map((x) => {
      const [ip, ttl] = typeof x === "string" ? [x, 60] : x;
      return { ip, family: ip.includes(":") ? 6 : 4, ttl };
    }),
  };
}

const caches: LearnedCache[] = [];
function cache(opts: LearnedCacheOptions & { clock?: { t: number } } = {}): LearnedCache {
  const clock = opts.clock ?? { t: T0 };
  const c = new LearnedCache({ now: () => clock.t, sweepIntervalMs: 0, ...opts });
  caches.push(c);
  return c;
}
afterEach(async () => {
  for (const c of caches.splice(0)) await c.close();
});

const ipsOf = (c: LearnedCache, id: string) => (c.elements().get(id) ?? []).map((e) => e.ip).sort();

describe("domain-set matching (reference §5)", () => {
  const sets = compileDomainSets([
    { id: "wild", patterns: ["*.example.test"] },
    { id: "exact", patterns: ["Example.TEST"] },
    { id: "interior", patterns: ["update.*.tigera.test"] },
    { id: "cdn", patterns: ["edge.cdn.test", "api.stripe.test"] },
    { id: "only-a", patterns: ["*.example.test"], clientIps: ["10.0.0.1", "fd00::0001"] },
    { id: "bad", patterns: ["www.example.*", "ok.test"] },
  ]);

  it("leading wildcards match one or more labels, never the bare suffix", () => {
    expect(matchDomainSets(["a.example.test"], sets)).toEqual(["wild", "only-a"]);
    expect(matchDomainSets(["b.c.example.test"], sets)).toEqual(["wild", "only-a"]);
    expect(matchDomainSets(["example.test"], sets)).toEqual(["exact"]);
    expect(matchDomainSets(["xexample.test"], sets)).toEqual([]);
  });

  it("interior wildcards, exact names and case", () => {
    expect(matchDomainSets(["update.x.y.tigera.test"], sets)).toEqual(["interior"]);
    expect(matchDomainSets(["update.tigera.test"], sets)).toEqual([]);
    expect(matchDomainSets(["www.example.test", "edge.cdn.test"], sets, "10.9.9.9")).toEqual(["wild", "cdn"]);
  });

  it("a CNAME chain feeds sets matching any of its names", () => {
    expect(matchDomainSets(["www.other.test", "edge.cdn.test"], sets).sort()).toEqual(["cdn"]);
    expect(matchDomainSets(["www.example.test", "edge.cdn.test"], sets).sort()).toEqual(["cdn", "only-a", "wild"]);
  });

  it("sets restricted to client IPs only learn from those clients (IPv6 compared canonically)", () => {
    expect(matchDomainSets(["a.example.test"], sets, "10.0.0.2")).toEqual(["wild"]);
    expect(matchDomainSets(["a.example.test"], sets, "10.0.0.1")).toEqual(["wild", "only-a"]);
    expect(matchDomainSets(["a.example.test"], sets, "fd00::1")).toEqual(["wild", "only-a"]);
  });

  it("reports invalid patterns and ignores them", () => {
    expect(sets.invalid.map((i) => [i.id, i.pattern])).toEqual([["bad", "www.example.*"]]);
    expect(matchDomainSets(["ok.test"], sets)).toEqual(["bad"]);
  });
});

describe("LearnedCache expiry", () => {
  it("expires at max(ttl, floor) + grace, from an injectable clock", () => {
    const clock = { t: T0 };
    const c = cache({ clock });
    c.setDomainSets([{ id: "s", patterns: ["*.example.test"] }]);
    void c.learn(answer(["a.example.test"], [["192.0.2.1", 0], ["192.0.2.2", 100]]));
    const els = c.elements().get("s")!.sort((a, b) => a.ip.localeCompare(b.ip));
    expect(els).toEqual([
      { ip: "192.0.2.1", family: 4, expiresAt: T0 + 32_000 },
      { ip: "192.0.2.2", family: 4, expiresAt: T0 + 130_000 },
    ]);
    clock.t = T0 + 31_999;
    expect(c.sweep()).toBe(0);
    clock.t = T0 + 32_000;
    expect(ipsOf(c, "s")).toEqual(["192.0.2.2"]);
    expect(c.sweep()).toBe(1);
    clock.t = T0 + 130_000;
    expect(c.sweep()).toBe(1);
    expect(c.stats()).toMatchObject({ entries: 0, expired: 2 });
  });

  it("honours configured floor and grace", () => {
    const c = cache({ floorSeconds: 10, graceSeconds: 0 });
    c.setDomainSets([{ id: "s", patterns: ["a.test"] }]);
    void c.learn(answer(["a.test"], [["192.0.2.1", 1], ["192.0.2.2", 20]]));
    expect(c.elements().get("s")!.map((e) => e.expiresAt - T0).sort((a, b) => a - b)).toEqual([10_000, 20_000]);
  });

  it("a later answer extends an expiry but never shortens it", () => {
    const clock = { t: T0 };
    const c = cache({ clock, graceSeconds: 0 });
    c.setDomainSets([{ id: "s", patterns: ["a.test"] }]);
    void c.learn(answer(["a.test"], [["192.0.2.1", 100]]));
    clock.t = T0 + 10_000;
    void c.learn(answer(["a.test"], [["192.0.2.1", 5]]));
    expect(c.elements().get("s")![0]!.expiresAt).toBe(T0 + 100_000);
    clock.t = T0 + 50_000;
    void c.learn(answer(["a.test"], [["192.0.2.1", 100]]));
    expect(c.elements().get("s")![0]!.expiresAt).toBe(T0 + 150_000);
    clock.t = T0 + 100_001;
    expect(c.sweep()).toBe(0);
    expect(c.stats()).toMatchObject({ added: 1, refreshed: 1 });
  });

  it("learns nothing for answers that feed no set, or before sets are known", () => {
    const c = cache();
    void c.learn(answer(["a.test"], ["192.0.2.1"]));
    c.setDomainSets([{ id: "s", patterns: ["b.test"] }]);
    void c.learn(answer(["a.test"], ["192.0.2.1"]));
    expect(c.elements().size).toBe(0);
    expect(c.stats()).toMatchObject({ answers: 2, answersMatched: 0, entries: 0 });
  });
});

describe("LearnedCache bounds", () => {
  it("caps addresses per name, evicting the soonest-expiring first (not the answer's own)", () => {
    const clock = { t: T0 };
    const c = cache({ clock, maxAddressesPerName: 3 });
    c.setDomainSets([{ id: "s", patterns: ["a.test", "b.test"] }]);
    void c.learn(answer(["a.test"], [["192.0.2.1", 300], ["192.0.2.2", 10], ["192.0.2.3", 200]]));
    void c.learn(answer(["b.test"], [["192.0.2.9", 1]]));
    void c.learn(answer(["a.test"], [["192.0.2.4", 5]]));
    expect(ipsOf(c, "s")).toEqual(["192.0.2.1", "192.0.2.3", "192.0.2.4", "192.0.2.9"]);
    expect(c.stats().evictedPerName).toBe(1);
    // One answer with more addresses than the cap keeps the longest-lived of them.
    void c.learn(answer(["b.test"], [["198.51.100.1", 50], ["198.51.100.2", 60], ["198.51.100.3", 70], ["198.51.100.4", 80]]));
    expect(ipsOf(c, "s").filter((ip) => ip.startsWith("198.") || ip === "192.0.2.9")).toEqual(["198.51.100.2", "198.51.100.3", "198.51.100.4"]);
    expect(c.stats().evictedPerName).toBe(3);
  });

  it("caps the total number of entries, evicting the soonest-expiring first", () => {
    const c = cache({ maxEntries: 4 });
    c.setDomainSets([
      { id: "s1", patterns: ["*.test"] },
      { id: "s2", patterns: ["x.test"] },
    ]);
    void c.learn(answer(["x.test"], [["192.0.2.1", 100]])); // 2 entries: s1 and s2
    void c.learn(answer(["y.test"], [["192.0.2.2", 10]]));
    void c.learn(answer(["z.test"], [["192.0.2.3", 50]]));
    expect(c.stats()).toMatchObject({ entries: 4, evictedTotal: 0 });
    void c.learn(answer(["w.test"], [["192.0.2.4", 200]]));
    expect(c.stats()).toMatchObject({ entries: 4, evictedTotal: 1 });
    expect(ipsOf(c, "s1")).toEqual(["192.0.2.1", "192.0.2.3", "192.0.2.4"]);
    void c.learn(answer(["v.test"], [["192.0.2.5", 300]]));
    expect(ipsOf(c, "s1")).toEqual(["192.0.2.1", "192.0.2.4", "192.0.2.5"]);
    expect(c.stats().evictedTotal).toBe(2);
  });
});

describe("LearnedCache sets", () => {
  it("drops entries of removed sets and of names a set no longer matches", async () => {
    const changes: LearnedChanges[] = [];
    const c = cache({ onChange: (ch) => void changes.push(ch) });
    c.setDomainSets([
      { id: "a", patterns: ["*.example.test"] },
      { id: "b", patterns: ["x.example.test", "y.example.test"] },
      { id: "c", patterns: ["x.example.test"] },
    ]);
    await c.learn(answer(["x.example.test"], ["192.0.2.1"]));
    await c.learn(answer(["y.example.test"], ["192.0.2.2"]));
    c.setDomainSets([
      { id: "a", patterns: ["*.example.test"] },
      { id: "b", patterns: ["x.example.test"] },
    ]);
    await c.flush();
    expect(ipsOf(c, "a")).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(ipsOf(c, "b")).toEqual(["192.0.2.1"]);
    expect(c.elements().has("c")).toBe(false);
    expect(changes.at(-1)!.removed.map((r) => `${r.setId} ${r.ip}`).sort()).toEqual(["b 192.0.2.2", "c 192.0.2.1"]);
    expect(c.stats().removedBySets).toBe(2);
    expect(c.addresses()).toEqual(new Map([["a", expect.arrayContaining(["192.0.2.1", "192.0.2.2"])], ["b", ["192.0.2.1"]]]));
  });
});

describe("LearnedCache change batching", () => {
  it("coalesces many updates into one batch and resolves learn() after delivery", async () => {
    const batches: LearnedChanges[] = [];
    let release!: () => void;
    const c = cache({
      onChange: (ch) => {
        batches.push(ch);
        return new Promise<void>((r) => (release = r));
      },
    });
    c.setDomainSets([{ id: "s", patterns: ["*.example.test"] }]);
    let resolved = 0;
    const learns = Array.from({ length: 50 }, (_, i) => c.learn(answer([`h${i}.example.test`], [`10.0.0.${i}`, `fd00::${i + 1}`])).then(() => resolved++));
    await new Promise((r) => setTimeout(r, 60));
    expect(batches).toHaveLength(1);
    expect(batches[0]!.added).toHaveLength(100);
    expect(batches[0]!.removed).toHaveLength(0);
    expect(resolved).toBe(0);
    release();
    await Promise.all(learns);
    expect(resolved).toBe(50);
    expect(c.stats().changeBatches).toBe(1);
  });

  it("does not hold an answer whose addresses are already delivered", async () => {
    const batches: LearnedChanges[] = [];
    const clock = { t: T0 };
    const c = cache({ clock, onChange: (ch) => void batches.push(ch) });
    c.setDomainSets([{ id: "s", patterns: ["a.test"] }]);
    await c.learn(answer(["a.test"], ["192.0.2.1"]));
    let resolved = false;
    clock.t += 1000;
    const again = c.learn(answer(["a.test"], ["192.0.2.1"])).then(() => (resolved = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(resolved).toBe(true);
    await again;
    await c.flush();
    // The refresh is still delivered (as an upsert with the later expiry).
    expect(batches.map((b) => b.added.map((a) => a.expiresAt - T0))).toEqual([[90_000], [91_000]]);
  });

  it("holds the answer refreshing an element whose delivered expiry has passed (the kernel may have dropped it)", async () => {
    const batches: LearnedChanges[] = [];
    const clock = { t: T0 };
    const c = cache({ clock, onChange: (ch) => void batches.push(ch) });
    c.setDomainSets([{ id: "s", patterns: ["a.test"] }]);
    await c.learn(answer(["a.test"], [["192.0.2.1", 1]]));
    clock.t += 40_000; // past max(1, floor 2) + grace 30
    let resolved = false;
    const again = c.learn(answer(["a.test"], [["192.0.2.1", 60]])).then(() => (resolved = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(resolved).toBe(false);
    await again;
    expect(batches.at(-1)!.added.map((a) => a.ip)).toEqual(["192.0.2.1"]);
  });

  it("reports removals only for delivered elements", async () => {
    const batches: LearnedChanges[] = [];
    const clock = { t: T0 };
    const c = cache({ clock, graceSeconds: 0, floorSeconds: 0, onChange: (ch) => void batches.push(ch) });
    c.setDomainSets([{ id: "s", patterns: ["a.test", "b.test"] }]);
    await c.learn(answer(["a.test"], [["192.0.2.1", 5]]));
    void c.learn(answer(["b.test"], [["192.0.2.2", 5]]));
    clock.t += 5000;
    c.sweep();
    await c.flush();
    expect(batches).toEqual([{ added: [{ setId: "s", ip: "192.0.2.1", family: 4, expiresAt: T0 + 5000 }], removed: [] }, { added: [], removed: [{ setId: "s", ip: "192.0.2.1", family: 4, expiresAt: T0 + 5000 }] }]);
  });

  it("retries a failed batch and rejects the answers waiting on it", async () => {
    let fail = true;
    const batches: LearnedChanges[] = [];
    const c = cache({
      batchMs: 5,
      onChange: async (ch) => {
        batches.push(ch);
        if (fail) {
          fail = false;
          throw new Error("nft apply failed");
        }
      },
    });
    c.setDomainSets([{ id: "s", patterns: ["a.test"] }]);
    await expect(c.learn(answer(["a.test"], ["192.0.2.1"]))).rejects.toThrow(/nft apply failed/);
    await new Promise((r) => setTimeout(r, 100));
    expect(batches.map((b) => b.added.map((a) => a.ip))).toEqual([["192.0.2.1"], ["192.0.2.1"]]);
    expect(c.stats()).toMatchObject({ changeErrors: 1, changeBatches: 1 });
  });
});

describe("LearnedCache persistence", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const stateDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), "portcullis-dns-"));
    dirs.push(d);
    return d;
  };

  it("round-trips through an atomic write and drops expired entries on load", async () => {
    const dir = stateDir();
    const clock = { t: T0 };
    const a = cache({ clock, stateDir: dir, graceSeconds: 0, saveIntervalMs: 0 });
    a.setDomainSets([{ id: "s", patterns: ["*.example.test"] }, { id: "t", patterns: ["b.example.test"] }]);
    void a.learn(answer(["a.example.test"], [["192.0.2.1", 10], ["2001:db8::1", 300]]));
    void a.learn(answer(["b.example.test"], [["192.0.2.2", 100]]));
    await a.save();
    expect(readdirSync(dir)).toEqual([LEARNED_STATE_FILE]);

    clock.t = T0 + 50_000;
    const b = cache({ clock, stateDir: dir, graceSeconds: 0 });
    expect(await b.load()).toBe(3);
    expect(b.stats()).toMatchObject({ loaded: 3, loadDroppedExpired: 1 });
    expect(b.elements()).toEqual(
      new Map([
        ["s", expect.arrayContaining([{ ip: "2001:db8::1", family: 6, expiresAt: T0 + 300_000 }, { ip: "192.0.2.2", family: 4, expiresAt: T0 + 100_000 }])],
        ["t", [{ ip: "192.0.2.2", family: 4, expiresAt: T0 + 100_000 }]],
      ]),
    );
    // Entries of sets that are gone disappear once the sets are known.
    b.setDomainSets([{ id: "s", patterns: ["*.example.test"] }]);
    expect([...b.elements().keys()]).toEqual(["s"]);
  });

  it("saves on close and ignores a missing or corrupt state file", async () => {
    const dir = stateDir();
    const empty = cache({ stateDir: dir });
    expect(await empty.load()).toBe(0);
    writeFileSync(path.join(dir, LEARNED_STATE_FILE), "{not json");
    expect(await empty.load()).toBe(0);
    writeFileSync(path.join(dir, LEARNED_STATE_FILE), JSON.stringify({ version: 1, savedAt: 0, entries: [["s", "192.0.2.1", 5, T0 + 1e6, "a.test"], "junk", ["s", "192.0.2.2", 4, T0 + 1e6, "a.test"]] }));
    expect(await empty.load()).toBe(1);

    const a = cache({ stateDir: dir });
    a.setDomainSets([{ id: "s", patterns: ["a.test"] }]);
    void a.learn(answer(["a.test"], ["192.0.2.7"]));
    await a.close();
    const saved = JSON.parse(readFileSync(path.join(dir, LEARNED_STATE_FILE), "utf8")) as { entries: unknown[] };
    expect(saved.entries).toEqual([["s", "192.0.2.7", 4, T0 + 90_000, "a.test"]]);
  });
});
