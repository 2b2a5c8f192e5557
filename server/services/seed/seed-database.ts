import { randomBytes } from "node:crypto";
import { SYSTEM_ACTOR, type RequestContext } from "../../auth/actor";
import { hashPassword } from "../../auth/password";
import { appendAudit } from "../../audit/append";
import type { PrismaClient } from "../../db";
import { demoInventory } from "./demo-inventory";

export interface SeedResult {
  admin?: { username: string; generatedPassword?: string };
  demoCluster?: { name: string; namespaces: number; pods: number };
}

const SYSTEM_CTX: RequestContext = { actor: SYSTEM_ACTOR, requestId: "startup", ip: null, userAgent: null };

/**
 * On a brand-new database: creates the first admin (password given, or generated and returned
 * so the caller can print it once) and, unless disabled, the demo cluster with its inventory.
 * Does nothing on a database that already has users.
 */
export async function seedDatabase(
  client: PrismaClient,
  opts: { adminUsername: string; adminPassword?: string; demo: boolean },
): Promise<SeedResult> {
  const result: SeedResult = {};
  if ((await client.user.count()) > 0) return result;
  const generated = opts.adminPassword ? undefined : randomBytes(15).toString("base64url");
  const passwordHash = await hashPassword(opts.adminPassword ?? generated!);
  await client.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(7305571204)`;
    if ((await tx.user.count()) > 0) return;
    const admin = await tx.user.create({
      data: {
        username: opts.adminUsername,
        displayName: "Administrator",
        passwordHash,
        roles: ["admin", "viewer", "author", "approver", "auditor"],
      },
    });
    await appendAudit(tx, SYSTEM_CTX, {
      action: "user.create",
      target: { type: "user", id: admin.id },
      after: { username: admin.username, roles: admin.roles, firstAdmin: true },
    });
    result.admin = { username: admin.username, generatedPassword: generated };

    if (opts.demo) {
      const inv = demoInventory();
      const cluster = await tx.cluster.create({
        data: { name: "demo", displayName: "Demo cluster", description: "Seeded example inventory: a shop, payments, data and platform namespaces." },
      });
      await tx.inventoryNamespace.createMany({ data: inv.namespaces.map((n) => ({ clusterId: cluster.id, name: n.name, labels: n.labels })) });
      await tx.inventoryPod.createMany({
        data: inv.pods.map((p) => ({
          clusterId: cluster.id,
          namespace: p.namespace,
          name: p.name,
          labels: p.labels,
          serviceAccount: p.serviceAccount,
          nodeName: p.nodeName,
          podIps: p.podIps,
          ports: p.ports,
        })),
      });
      await appendAudit(tx, SYSTEM_CTX, {
        action: "cluster.create",
        target: { type: "cluster", id: cluster.id },
        after: { name: cluster.name, demo: true, namespaces: inv.namespaces.length, pods: inv.pods.length },
      });
      result.demoCluster = { name: cluster.name, namespaces: inv.namespaces.length, pods: inv.pods.length };
    }
  });
  return result;
}
