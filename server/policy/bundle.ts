import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import canonicalize from "canonicalize";

/**
 * The bundle: for one cluster and one revision, every resource the agents need, as canonical
 * JSON (RFC 8785), signed with the console's Ed25519 key. Agents verify it against the public
 * key they were installed with and refuse anything unsigned, tampered, for another cluster, or
 * older than what they already run. Pure: used by the console, the agent and the browser.
 */
export const BUNDLE_FORMAT = "portcullis.bundle/v1";

export interface BundlePayload {
  format: typeof BUNDLE_FORMAT;
  /** Cluster name the bundle is for. */
  cluster: string;
  /** Published revision number (1, 2, ...). */
  revision: number;
  publishedAt: string;
  /** Resource documents (Calico projectcalico.org/v3 and portcullis.dev/v1 kinds), sorted by kind, namespace, name. */
  resources: unknown[];
}

export interface SignedBundle {
  /** The canonical JSON text of the payload: exactly the bytes that were signed. */
  payload: string;
  /** Ed25519 signature over the UTF-8 payload, hex. */
  signature: string;
  /** Identifies the signing key: first 16 hex digits of SHA-256 of the public key. */
  keyId: string;
  /** SHA-256 of the payload, hex; agents report it with the revision they applied. */
  sha256: string;
}

export type BundleRejection =
  | "malformed"
  | "unknown-key"
  | "bad-signature"
  | "wrong-format"
  | "wrong-cluster"
  | "stale-revision";

export class BundleVerificationError extends Error {
  constructor(
    readonly reason: BundleRejection,
    message: string,
  ) {
    super(message);
    this.name = "BundleVerificationError";
  }
}

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error("value cannot be serialised as canonical JSON");
  return text;
}

export function keyIdOf(publicKeyHex: string): string {
  return bytesToHex(sha256(hexToBytes(publicKeyHex))).slice(0, 16);
}

export function generateSigningKey(): { secretKeyHex: string; publicKeyHex: string } {
  const { secretKey, publicKey } = ed25519.keygen();
  return { secretKeyHex: bytesToHex(secretKey), publicKeyHex: bytesToHex(publicKey) };
}

export function publicKeyOf(secretKeyHex: string): string {
  return bytesToHex(ed25519.getPublicKey(hexToBytes(secretKeyHex)));
}

export function signBundle(payload: BundlePayload, secretKeyHex: string): SignedBundle {
  const text = canonicalJson(payload);
  const bytes = utf8ToBytes(text);
  const signature = bytesToHex(ed25519.sign(bytes, hexToBytes(secretKeyHex)));
  return { payload: text, signature, keyId: keyIdOf(publicKeyOf(secretKeyHex)), sha256: bytesToHex(sha256(bytes)) };
}

/** Ed25519 signature check: (signature, message, public key) → valid. */
export type Ed25519Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/** The portable (pure JavaScript) Ed25519 check; a Node.js agent passes a native one. */
export const portableEd25519Verify: Ed25519Verify = (signature, message, publicKey) => ed25519.verify(signature, message, publicKey);

/**
 * Verifies a signed bundle and returns its payload. `expect.cluster` must match; a revision
 * lower than `expect.minRevision` (what the agent already runs) is refused. `expect.verify` checks
 * the Ed25519 signature (the portable implementation by default).
 */
export function verifyBundle(
  signed: unknown,
  publicKeyHex: string,
  expect: { cluster: string; minRevision?: number; verify?: Ed25519Verify },
): BundlePayload {
  if (typeof signed !== "object" || signed === null) throw new BundleVerificationError("malformed", "bundle is not an object");
  const s = signed as Partial<SignedBundle>;
  if (typeof s.payload !== "string" || typeof s.signature !== "string" || !/^[0-9a-f]{128}$/.test(s.signature)) {
    throw new BundleVerificationError("malformed", "bundle lacks a payload or a well-formed signature");
  }
  if (s.keyId !== undefined && s.keyId !== keyIdOf(publicKeyHex)) {
    throw new BundleVerificationError("unknown-key", `bundle was signed with key ${String(s.keyId)}, not the installed key ${keyIdOf(publicKeyHex)}`);
  }
  const bytes = utf8ToBytes(s.payload);
  let ok = false;
  try {
    ok = (expect.verify ?? portableEd25519Verify)(hexToBytes(s.signature), bytes, hexToBytes(publicKeyHex));
  } catch {
    ok = false;
  }
  if (!ok) throw new BundleVerificationError("bad-signature", "bundle signature does not verify against the installed public key");
  let payload: BundlePayload;
  try {
    payload = JSON.parse(s.payload) as BundlePayload;
  } catch {
    throw new BundleVerificationError("malformed", "bundle payload is not JSON");
  }
  if (payload.format !== BUNDLE_FORMAT) throw new BundleVerificationError("wrong-format", `unsupported bundle format ${String(payload.format)}`);
  if (payload.cluster !== expect.cluster) {
    throw new BundleVerificationError("wrong-cluster", `bundle is for cluster "${payload.cluster}", this agent serves "${expect.cluster}"`);
  }
  if (!Number.isInteger(payload.revision) || payload.revision < 1) throw new BundleVerificationError("malformed", "bundle revision is not a positive integer");
  if (expect.minRevision !== undefined && payload.revision < expect.minRevision) {
    throw new BundleVerificationError("stale-revision", `bundle revision ${payload.revision} is older than the running revision ${expect.minRevision}`);
  }
  if (!Array.isArray(payload.resources)) throw new BundleVerificationError("malformed", "bundle resources are not a list");
  return payload;
}
