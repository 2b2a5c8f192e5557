import { readFileSync } from "node:fs";
import path from "node:path";
import { get_dmmf } from "@prisma/prisma-schema-wasm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase } from "../../test/db";

/**
 * schema.prisma and the migrated database must agree: every model's table, every scalar
 * field's column with its type, list-ness and nullability, and every unique index.
 */
interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "object" | "enum";
  type: string;
  isList: boolean;
  isRequired: boolean;
  isUnique: boolean;
  isId: boolean;
  nativeType?: [string, string[]] | null;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { fields: string[] } | null;
  uniqueIndexes: Array<{ fields: string[] }>;
}

const SCALAR_TO_PG: Record<string, string> = {
  String: "text",
  Boolean: "boolean",
  Int: "integer",
  BigInt: "bigint",
  Float: "double precision",
  DateTime: "timestamp(3) with time zone",
  Json: "jsonb",
  Decimal: "numeric(65,30)",
  Bytes: "bytea",
};
const NATIVE_TO_PG: Record<string, (args: string[]) => string> = {
  Uuid: () => "uuid",
  Timestamptz: (a) => `timestamp(${a[0] ?? 6}) with time zone`,
  Text: () => "text",
  Inet: () => "inet",
};

function expectedType(f: DmmfField): string {
  if (f.kind === "enum") return f.type;
  const base = f.nativeType ? NATIVE_TO_PG[f.nativeType[0]]!(f.nativeType[1]) : SCALAR_TO_PG[f.type]!;
  return base;
}

describe("schema.prisma vs migrated database", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let client: pg.Client;
  beforeAll(async () => {
    db = await freshDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it("has the same tables, columns, types, nullability and unique indexes", async () => {
    const schema = readFileSync(path.resolve("prisma/schema.prisma"), "utf8");
    const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: schema }))) as { datamodel: { models: DmmfModel[] } };
    const cols = await client.query<{ table_name: string; column_name: string; type: string; not_null: boolean; is_array: boolean }>(`
      SELECT c.relname AS table_name, a.attname AS column_name,
             format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
             t.typcategory = 'A' AS is_array
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`);
    const uniques = await client.query<{ table_name: string; columns: string[] }>(`
      SELECT c.relname AS table_name, array_agg(a.attname ORDER BY k.ord)::text[] AS columns
      FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
      WHERE n.nspname = 'public' AND i.indisunique
      GROUP BY c.relname, i.indexrelid`);

    const dbTables = new Set(cols.rows.map((r) => r.table_name).filter((t) => t !== "_prisma_migrations"));
    const problems: string[] = [];
    const modelTables = new Set<string>();
    for (const m of dmmf.datamodel.models) {
      const table = m.dbName ?? m.name;
      modelTables.add(table);
      if (!dbTables.has(table)) {
        problems.push(`table ${table} (model ${m.name}) is missing in the database`);
        continue;
      }
      const dbCols = new Map(cols.rows.filter((r) => r.table_name === table).map((r) => [r.column_name, r]));
      const modelCols = new Set<string>();
      for (const f of m.fields.filter((x) => x.kind !== "object")) {
        const col = f.dbName ?? f.name;
        modelCols.add(col);
        const c = dbCols.get(col);
        if (!c) {
          problems.push(`${table}.${col} is missing in the database`);
          continue;
        }
        const want = expectedType(f) + (f.isList ? "[]" : "");
        if (c.type.replaceAll('"', "") !== want) problems.push(`${table}.${col}: database type ${c.type}, schema says ${want}`);
        // Prisma lists are nullable columns; required scalars are NOT NULL.
        const wantNotNull = f.isList ? false : f.isRequired;
        if (c.not_null !== wantNotNull) problems.push(`${table}.${col}: database ${c.not_null ? "NOT NULL" : "nullable"}, schema says ${wantNotNull ? "required" : "optional"}`);
      }
      for (const col of dbCols.keys()) if (!modelCols.has(col)) problems.push(`${table}.${col} exists in the database but not in schema.prisma`);

      const colName = (field: string) => {
        const f = m.fields.find((x) => x.name === field)!;
        return f.dbName ?? f.name;
      };
      const wantUnique = new Set<string>([
        ...m.fields.filter((f) => f.isUnique || f.isId).map((f) => colName(f.name)),
        ...m.uniqueIndexes.map((u) => u.fields.map(colName).join(",")),
        ...(m.primaryKey ? [m.primaryKey.fields.map(colName).join(",")] : []),
      ]);
      const haveUnique = new Set(uniques.rows.filter((u) => u.table_name === table).map((u) => u.columns.join(",")));
      for (const u of wantUnique) if (!haveUnique.has(u)) problems.push(`${table}: unique index on (${u}) is missing in the database`);
      for (const u of haveUnique) if (!wantUnique.has(u)) problems.push(`${table}: database has a unique index on (${u}) that schema.prisma does not declare`);
    }
    for (const t of dbTables) if (!modelTables.has(t)) problems.push(`table ${t} exists in the database but has no model`);
    expect(problems).toEqual([]);
  });
});
