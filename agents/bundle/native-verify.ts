/**
 * Ed25519 signature checks with Node's own crypto (OpenSSL): about twenty times faster than the
 * portable implementation, which matters for large bundles and for many agents on one machine.
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import type { Ed25519Verify } from "../../server/policy/bundle";

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32-byte key follows. */
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const keys = new Map<string, KeyObject>();

export const nativeEd25519Verify: Ed25519Verify = (signature, message, publicKey) => {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const hex = Buffer.from(publicKey).toString("hex");
  let key = keys.get(hex);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
    keys.set(hex, key);
  }
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
};
