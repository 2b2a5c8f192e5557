import { db } from "../../db";
import { pendingMigrations } from "../../db/migrate";

export async function checkReadiness(): Promise<{ ready: boolean; database: "ok" | "unreachable"; pendingMigrations: string[] }> {
  try {
    await db().$queryRaw`SELECT 1`;
  } catch {
    return { ready: false, database: "unreachable", pendingMigrations: [] };
  }
  const pending = await pendingMigrations((sql) => db().$queryRawUnsafe(sql));
  return { ready: pending.length === 0, database: "ok", pendingMigrations: pending };
}
