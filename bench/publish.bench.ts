/**
 * Publishing (Postgres): an approved change request touching 500 resources published as one
 * revision — version checks, resource writes, revision with change list, signed bundle, audit
 * row, NOTIFY — first as 500 creates, then as 500 updates of the same resources.
 */
import type { Actor } from "../server/auth/actor";
import { db } from "../server/db";
import { addChanges } from "../server/services/changes/add-changes";
import { openChangeRequest } from "../server/services/changes/open-change-request";
import { publishChangeRequest } from "../server/services/changes/publish-change-request";
import { reviewChangeRequest } from "../server/services/changes/review-change-request";
import { submitChangeRequest } from "../server/services/changes/submit-change-request";
import { ensureSigningKey } from "../server/services/signing/signing-key";
import type { BenchSuite } from "./harness";
import { benchDatabase } from "./pg";

const RESOURCES = 500;

function policy(i: number, port: number) {
  return {
    apiVersion: "projectcalico.org/v3",
    kind: "NetworkPolicy",
    metadata: { name: `allow-${i}`, namespace: `team-${i % 20}`, labels: { team: `t${i % 20}` } },
    spec: {
      selector: `app == "svc-${i}"`,
      ingress: [{ action: "Allow", protocol: "TCP", source: { selector: `role == "client-${i % 7}"` }, destination: { ports: [port, 9000 + (i % 100)] } }],
      egress: [{ action: "Allow", protocol: "UDP", destination: { ports: [53] } }, { action: "Deny", destination: { nets: [`198.51.${i % 250}.0/24`] } }],
    },
  };
}

const suite: BenchSuite = {
  name: "publish",
  needs: ["postgres"],
  async run(report) {
    const bench = await benchDatabase("publish");
    try {
      await db().cluster.create({ data: { name: "bench", displayName: "Bench" } });
      const mk = async (username: string, roles: Array<"author" | "approver">): Promise<Actor> => {
        const u = await db().user.create({ data: { username, displayName: username, passwordHash: "x", roles } });
        return { type: "user", id: u.id, name: username, roles, sessionId: "bench" };
      };
      const author = await mk("author", ["author"]);
      const approver = await mk("approver", ["approver"]);
      const ctx = (actor: Actor) => ({ actor, requestId: "bench", ip: null, userAgent: "bench" });
      await ensureSigningKey();
      for (const [label, port] of [["create", 80], ["update", 8080]] as const) {
        const cr = await openChangeRequest(ctx(author), "bench", { title: `${RESOURCES} policies (${label})` });
        await addChanges(ctx(author), cr.id, {
          changes: Array.from({ length: RESOURCES }, (_, i) => ({ op: label, document: policy(i, port) as Record<string, unknown> })),
        });
        await submitChangeRequest(ctx(author), cr.id);
        await reviewChangeRequest(ctx(approver), cr.id, { decision: "approve" });
        const start = performance.now();
        const out = await publishChangeRequest(ctx(approver), cr.id);
        const ms = performance.now() - start;
        if (out.revision !== (label === "create" ? 1 : 2)) throw new Error(`unexpected revision ${out.revision}`);
        report({ name: `publish.${RESOURCES}_resources.${label}`, value: ms, unit: "ms", target: "< 1000" });
      }
      const stored = await db().policyResource.count({ where: { version: 2 } });
      if (stored !== RESOURCES) throw new Error(`expected ${RESOURCES} resources at version 2, found ${stored}`);
    } finally {
      await bench.stop();
    }
  },
};

export default suite;
