import type { RequestContext } from "../../auth/actor";
import { authorise } from "../authorise";
import { ensureSigningKey } from "./signing-key";

/** The public half of the bundle signing key, for installing agents. Never the secret. */
export async function getPublicKey(ctx: RequestContext) {
  authorise(ctx, "authenticated");
  const key = await ensureSigningKey();
  return { algorithm: "ed25519" as const, publicKey: key.publicKeyHex, keyId: key.keyId, source: key.source };
}
