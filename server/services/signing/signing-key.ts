import { readFileSync } from "node:fs";
import { SYSTEM_ACTOR, type RequestContext } from "../../auth/actor";
import { appendAudit } from "../../audit/append";
import { config } from "../../config";
import { db, type PrismaClient, type Tx } from "../../db";
import { generateSigningKey, keyIdOf, publicKeyOf } from "../../policy/bundle";

export interface SigningKeyMaterial {
  secretKeyHex: string;
  publicKeyHex: string;
  keyId: string;
  source: "file" | "database";
}

const KEY_ROW = "console";
const SYSTEM_CTX: RequestContext = { actor: SYSTEM_ACTOR, requestId: "signing-key", ip: null, userAgent: null };

function fromFile(file: string): SigningKeyMaterial {
  const text = readFileSync(file, "utf8").trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new Error(`PORTCULLIS_SIGNING_KEY_FILE (${file}) must contain an Ed25519 secret key as 64 hex digits`);
  }
  const secretKeyHex = text.toLowerCase();
  const publicKeyHex = publicKeyOf(secretKeyHex);
  return { secretKeyHex, publicKeyHex, keyId: keyIdOf(publicKeyHex), source: "file" };
}

/**
 * The console's bundle signing key: from PORTCULLIS_SIGNING_KEY_FILE when set, otherwise the key
 * kept in the database, created (and audited) the first time it is needed. Safe when several
 * replicas start together: the insert is ON CONFLICT DO NOTHING and everyone re-reads the row.
 */
export async function ensureSigningKey(client: PrismaClient = db()): Promise<SigningKeyMaterial> {
  const file = config().PORTCULLIS_SIGNING_KEY_FILE;
  if (file) return fromFile(file);
  const existing = await client.signingKey.findUnique({ where: { id: KEY_ROW } });
  if (existing) return { secretKeyHex: existing.secretKey, publicKeyHex: existing.publicKey, keyId: keyIdOf(existing.publicKey), source: "database" };
  return client.$transaction(async (tx) => {
    const fresh = generateSigningKey();
    const inserted = await tx.$executeRaw`
      INSERT INTO signing_keys (id, public_key, secret_key) VALUES (${KEY_ROW}, ${fresh.publicKeyHex}, ${fresh.secretKeyHex})
      ON CONFLICT (id) DO NOTHING`;
    if (inserted === 1) {
      await appendAudit(tx, SYSTEM_CTX, {
        action: "signing_key.create",
        target: { type: "signing_key", id: keyIdOf(fresh.publicKeyHex) },
        after: { publicKey: fresh.publicKeyHex, keyId: keyIdOf(fresh.publicKeyHex) },
      });
    }
    const row = await tx.signingKey.findUniqueOrThrow({ where: { id: KEY_ROW } });
    return { secretKeyHex: row.secretKey, publicKeyHex: row.publicKey, keyId: keyIdOf(row.publicKey), source: "database" as const };
  });
}

/** Reads the key inside a transaction that must already have it (publish calls ensureSigningKey first). */
export async function signingKeyIn(tx: Tx): Promise<SigningKeyMaterial> {
  const file = config().PORTCULLIS_SIGNING_KEY_FILE;
  if (file) return fromFile(file);
  const row = await tx.signingKey.findUniqueOrThrow({ where: { id: KEY_ROW } });
  return { secretKeyHex: row.secretKey, publicKeyHex: row.publicKey, keyId: keyIdOf(row.publicKey), source: "database" };
}
