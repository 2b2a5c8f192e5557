import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as auditList from "@/app/api/v1/audit/route";
import * as auditOne from "@/app/api/v1/audit/[seq]/route";
import * as auditExport from "@/app/api/v1/audit/export/route";
import { appendAudit } from "@/server/audit/append";
import { auditHash } from "@/server/audit/chain";
import { verifyAuditChain } from "@/server/audit/verify";
import { db } from "@/server/db";
import { auditRowsFor, call, makeUser, type TestUser } from "../../../../test/api";
import { freshDatabase, testCtx } from "../../../../test/db";
import { auditExportStream } from "@/server/services/audit/export-audit";

let database: Awaited<ReturnType<typeof freshDatabase>>;
let auditor: TestUser;
let viewer: TestUser;

beforeAll(async () => {
  database = await freshDatabase();
  auditor = await makeUser("audrey", ["auditor"]);
  viewer = await makeUser("vera", ["viewer"]);
  for (let i = 1; i <= 30; i++) {
    await db().$transaction((tx) =>
      appendAudit(tx, testCtx({ type: "user", id: "u1", name: i % 3 === 0 ? "mallory" : "alice", roles: ["admin"], sessionId: "s" }), {
        action: i % 2 ? "change.publish" : "user.update",
        outcome: i === 7 ? "failure" : "success",
        target: { type: i % 2 ? "change_request" : "user", id: `t${i}` },
        before: { v: i - 1, note: 'quote " and, comma' },
        after: { v: i, note: "line\nbreak" },
      }),
    );
  }
});
afterAll(async () => {
  await database.drop();
});

function parseNdjson(text: string) {
  const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  return { rows: lines.slice(0, -1), trailer: lines[lines.length - 1]! };
}

function rowHash(r: Record<string, unknown>): string {
  return auditHash({
    seq: BigInt(r.seq as string),
    at: new Date(r.at as string),
    actorType: r.actorType as string,
    actorId: r.actorId as string | null,
    actorName: r.actorName as string,
    action: r.action as string,
    targetType: r.targetType as string | null,
    targetId: r.targetId as string | null,
    outcome: r.outcome as string,
    sourceIp: r.sourceIp as string | null,
    userAgent: r.userAgent as string | null,
    requestId: r.requestId as string | null,
    before: r.before,
    after: r.after,
    details: r.details,
    prevHash: r.prevHash as string,
  });
}

describe("audit list", () => {
  it("is for auditors and admins only", async () => {
    expect((await call(auditList.GET, { user: viewer })).status).toBe(403);
    expect((await call(auditExport.GET, { user: viewer })).status).toBe(403);
  });

  it("filters and pages by cursor, newest first", async () => {
    const first = await call(auditList.GET, { user: auditor, query: { action: "change.publish", limit: "6" } });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(6);
    expect(first.body.items[0].seq).toBe("29");
    const second = await call(auditList.GET, { user: auditor, query: { action: "change.publish", limit: "6", before: first.body.nextCursor } });
    const third = await call(auditList.GET, { user: auditor, query: { action: "change.publish", limit: "6", before: second.body.nextCursor } });
    const seqs = [...first.body.items, ...second.body.items, ...third.body.items].map((r: { seq: string }) => Number(r.seq));
    expect(seqs).toEqual([29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1]);
    expect(third.body.nextCursor).toBeNull();

    const mallory = await call(auditList.GET, { user: auditor, query: { actor: "MALL", outcome: "success", action: "user.", limit: "100" } });
    expect(mallory.body.items.map((r: { seq: string }) => r.seq)).toEqual(["30", "24", "18", "12", "6"]);
    const failed = await call(auditList.GET, { user: auditor, query: { outcome: "failure" } });
    expect(failed.body.items.map((r: { targetId: string }) => r.targetId)).toEqual(["t7"]);
    const target = await call(auditList.GET, { user: auditor, query: { target: "user:t10" } });
    expect(target.body.items.map((r: { seq: string }) => r.seq)).toEqual(["10"]);
    const text = await call(auditList.GET, { user: auditor, query: { q: '"v": 17' } });
    expect(text.body.items.map((r: { seq: string }) => r.seq)).toEqual(["18", "17"]);
    const future = await call(auditList.GET, { user: auditor, query: { from: new Date(Date.now() + 60_000).toISOString() } });
    expect(future.body.items).toEqual([]);
    expect((await call(auditList.GET, { user: auditor, query: { from: "yesterday" } })).status).toBe(422);
  });

  it("opens one row with its before/after diff", async () => {
    const r = await call(auditOne.GET, { user: auditor, params: { seq: "4" } });
    expect(r.body.before).toEqual({ v: 3, note: 'quote " and, comma' });
    expect(r.body.diff).toContainEqual({ op: "del", text: '  "v": 3,' });
    expect(r.body.diff).toContainEqual({ op: "add", text: '  "v": 4,' });
    expect((await call(auditOne.GET, { user: auditor, params: { seq: "999" } })).status).toBe(404);
  });
});

describe("audit export", () => {
  it("streams NDJSON whose rows and trailer verify against the chain; the export is audited", async () => {
    const res = await call(auditExport.GET, { user: auditor, query: { format: "ndjson" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/ndjson/);
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="portcullis-audit-.*\.ndjson"/);
    const { rows, trailer } = parseNdjson(res.text);
    expect(rows).toHaveLength(30);
    for (const r of rows) expect(rowHash(r)).toBe(r.hash);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(trailer).toMatchObject({ trailer: true, rows: 30, lastSeq: "30", lastHash: rows[29]!.hash, format: "ndjson" });
    const exportRows = await auditRowsFor(res.requestId);
    expect(exportRows.map((r) => r.action)).toEqual(["audit.export"]);
    expect(exportRows[0]!.prevHash).toBe(trailer.lastHash);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it("exports a filtered set as CSV with a trailer", async () => {
    const res = await call(auditExport.GET, { user: auditor, query: { format: "csv", action: "user.update", actor: "mallory" } });
    expect(res.status).toBe(200);
    const lines = res.text.trimEnd().split("\n");
    expect(lines[0]).toBe("seq,at,actorType,actorId,actorName,action,targetType,targetId,outcome,sourceIp,userAgent,requestId,before,after,details,prevHash,hash");
    const last = await db().auditEvent.findUniqueOrThrow({ where: { seq: 30n } });
    expect(lines[lines.length - 1]).toBe(`#trailer,rows=5,lastSeq=30,lastHash=${last.hash},upToSeq=${lines[lines.length - 1]!.split("upToSeq=")[1]}`);
    // Quoted fields keep commas, quotes and newlines.
    expect(res.text).toContain(`"{""v"":5,""note"":""quote \\"" and, comma""}"`);
  });

  it("pages through with a cursor: small pages give the same bytes", async () => {
    const read = async (pageSize: number) => new Response(auditExportStream(db(), {}, "ndjson", 30n, pageSize)).text();
    const whole = await read(5000);
    expect(await read(7)).toBe(whole);
    expect(await read(30)).toBe(whole);
    expect(parseNdjson(whole).rows).toHaveLength(30);
  });
});
