import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { config } from "../config";

export { Prisma } from "./generated/client";
export type { PrismaClient } from "./generated/client";
export * as models from "./generated/models";
export { Role } from "./generated/enums";

const globalForDb = globalThis as unknown as { portcullisDb?: PrismaClient };

export function createClient(connectionString: string): PrismaClient {
  // Bursts (every agent reporting right after a publish) queue for the pool; wait for a
  // connection rather than fail after Prisma's default 2 s.
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString, max: 20 }),
    transactionOptions: { maxWait: 10_000, timeout: 20_000 },
  });
}

/** The process-wide Prisma client (one pool per process, also across Next's dev reloads). */
export function db(): PrismaClient {
  if (!globalForDb.portcullisDb) {
    const url = config().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start the console with `npm start`, which provides one");
    globalForDb.portcullisDb = createClient(url);
  }
  return globalForDb.portcullisDb;
}

/** Replaces the process-wide client (tests point it at their own database). */
export function setDb(client: PrismaClient): void {
  globalForDb.portcullisDb = client;
}

export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
