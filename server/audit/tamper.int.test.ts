import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../auth/actor";
import { db } from "../db";
import { makeUser } from "../../test/api";
import { verifyAudit } from "../services/audit/verify-audit";
import { freshDatabase, testCtx } from "../../test/db";
import { appendAudit } from "./append";
import { verifyAuditChain } from "./verify";

/**
 * The audit store is tamper-evident: whoever bypasses the append-only triggers (a superuser who
 * disables them) can change rows, but the chain walk finds the first row that no longer fits.
 */
const run = promisify(execFile);
let current: Awaited<ReturnType<typeof freshDatabase>> | undefined;

afterEach(async () => {
  await current?.drop();
  current = undefined;
});

async function seeded(rows = 10) {
  current = await freshDatabase();
  for (let i = 1; i <= rows; i++) {
    await db().$transaction((tx) =>
      appendAudit(tx, testCtx(SYSTEM_ACTOR), { action: `test.write`, target: { type: "thing", id: String(i) }, before: { n: i - 1 }, after: { n: i, tags: ["a", "b"] } }),
    );
  }
  expect((await verifyAuditChain(db())).ok).toBe(true);
  return current;
}

/** Runs SQL as the superuser with the append-only triggers disabled, as an attacker with full access would. */
async function tamper(url: string, sql: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("ALTER TABLE audit_events DISABLE TRIGGER USER");
    await c.query(sql);
    await c.query("ALTER TABLE audit_events ENABLE TRIGGER USER");
  } finally {
    await c.end();
  }
}

describe("tampering is detected at the right row", () => {
  it("a changed field", async () => {
    const d = await seeded();
    await tamper(d.url, `UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 5`);
    const r = await verifyAuditChain(db());
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toEqual({ seq: "5", reason: "row content does not match its hash (row was altered)" });
    expect(r.rowsChecked).toBe(4);
  });

  it("a changed JSON value", async () => {
    const d = await seeded();
    await tamper(d.url, `UPDATE audit_events SET after = '{"n": 70, "tags": ["a", "b"]}' WHERE seq = 7`);
    expect((await verifyAuditChain(db())).firstBroken?.seq).toBe("7");
  });

  it("a changed field whose hash was recomputed breaks the next link", async () => {
    const d = await seeded();
    const row = await db().auditEvent.findUniqueOrThrow({ where: { seq: 6n } });
    const { auditHash } = await import("./chain");
    const forged = auditHash({ ...row, actorName: "mallory" });
    await tamper(d.url, `UPDATE audit_events SET actor_name = 'mallory', hash = '${forged}' WHERE seq = 6`);
    const r = await verifyAuditChain(db());
    expect(r.firstBroken).toEqual({ seq: "7", reason: "previous-hash link does not match the row before it" });
  });

  it("a deleted row", async () => {
    const d = await seeded();
    await tamper(d.url, `DELETE FROM audit_events WHERE seq = 4`);
    const r = await verifyAuditChain(db());
    expect(r.firstBroken?.seq).toBe("5");
    expect(r.firstBroken?.reason).toMatch(/sequence gap: expected row 4/);
  });

  it("two rows' contents swapped", async () => {
    const d = await seeded();
    const cols = "at, actor_type, actor_id, actor_name, action, target_type, target_id, outcome, source_ip, user_agent, request_id, before, after, details, prev_hash, hash";
    const set = cols.split(", ").map((c) => `${c} = o.${c}`).join(", ");
    // Move row 3's content aside (hash is unique), then swap 3 and 8.
    await tamper(
      d.url,
      `CREATE TEMP TABLE swap AS SELECT * FROM audit_events WHERE seq IN (3, 8);
       UPDATE audit_events SET hash = 'x' || hash WHERE seq IN (3, 8);
       UPDATE audit_events a SET ${set} FROM swap o WHERE a.seq = 3 AND o.seq = 8;
       UPDATE audit_events a SET ${set} FROM swap o WHERE a.seq = 8 AND o.seq = 3;`,
    );
    const r = await verifyAuditChain(db());
    expect(r.firstBroken).toEqual({ seq: "3", reason: "previous-hash link does not match the row before it" });
  });

  it("the verify service and `npm run audit:verify` report the first broken row", async () => {
    const d = await seeded(6);
    const auditor = await makeUser("auditor1", ["auditor"]);
    const ok = await run("npx", ["tsx", "scripts/audit-verify.ts"], { env: { ...process.env, DATABASE_URL: d.url } });
    expect(ok.stdout).toMatch(/audit chain intact: 6 rows/);
    await tamper(d.url, `UPDATE audit_events SET outcome = 'failure' WHERE seq = 2`);
    const report = await verifyAudit(testCtx({ type: "user", id: auditor.id, name: auditor.username, roles: ["auditor"], sessionId: "s" }));
    expect(report).toMatchObject({ ok: false, firstBroken: { seq: "2" } });
    const broken = await run("npx", ["tsx", "scripts/audit-verify.ts"], { env: { ...process.env, DATABASE_URL: d.url } }).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(broken?.code).toBe(2);
    expect(broken?.stderr).toMatch(/BROKEN at row 2/);
  });
});

describe("the application's connection cannot change the audit store", () => {
  it("refuses UPDATE, DELETE and TRUNCATE", async () => {
    await seeded(3);
    await expect(db().$executeRawUnsafe(`UPDATE audit_events SET actor_name = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db().$executeRawUnsafe(`DELETE FROM audit_events WHERE seq = 1`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db().$executeRawUnsafe(`TRUNCATE audit_events`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    await expect(db().auditEvent.deleteMany({})).rejects.toThrow(/append-only/);
    expect(await db().auditEvent.count()).toBe(3);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });
});

describe("concurrent writers", () => {
  it("8 writers appending at once produce one valid chain", async () => {
    current = await freshDatabase();
    const perWriter = 40;
    await Promise.all(
      Array.from({ length: 8 }, (_, w) =>
        (async () => {
          for (let i = 0; i < perWriter; i++) {
            await db().$transaction(async (tx) => {
              await tx.setting.upsert({ where: { key: `w${w}` }, create: { key: `w${w}`, value: i }, update: { value: i } });
              await appendAudit(tx, testCtx(SYSTEM_ACTOR), { action: "test.concurrent", details: { writer: w, i } });
            });
          }
        })(),
      ),
    );
    const r = await verifyAuditChain(db(), 64);
    expect(r).toMatchObject({ ok: true, rowsChecked: 8 * perWriter, lastSeq: String(8 * perWriter) });
    const perW = await db().auditEvent.groupBy({ by: ["actorName"], _count: { _all: true } });
    expect(perW[0]!._count._all).toBe(8 * perWriter);
  });
});
