export { db, setDb, createClient, Prisma, Role, type PrismaClient, type Tx } from "./client";
