import { describe, expect, it } from "vitest";
import { generateSigningKey, portableEd25519Verify, signBundle, verifyBundle, BundleVerificationError } from "../../server/policy/bundle";
import { nativeEd25519Verify } from "./native-verify";

const payload = (revision: number) => ({ format: "portcullis.bundle/v1", cluster: "c1", revision, publishedAt: "2026-11-27T00:00:00.000Z", resources: [] });

describe("native Ed25519 verification", () => {
  it("agrees with the portable implementation on good, tampered and foreign signatures", () => {
    const k = generateSigningKey();
    const other = generateSigningKey();
    const signed = signBundle(payload(3) as never, k.secretKeyHex);
    const good = verifyBundle(signed, k.publicKeyHex, { cluster: "c1", verify: nativeEd25519Verify });
    expect(good.revision).toBe(3);
    const tampered = { ...signed, payload: signed.payload.replace('"revision":3', '"revision":4') };
    for (const verify of [nativeEd25519Verify, portableEd25519Verify]) {
      expect(() => verifyBundle(tampered, k.publicKeyHex, { cluster: "c1", verify })).toThrow(BundleVerificationError);
      expect(() => verifyBundle({ ...signed, keyId: undefined }, other.publicKeyHex, { cluster: "c1", verify })).toThrow(/does not verify/);
    }
    const msg = new TextEncoder().encode(signed.payload);
    const sig = Buffer.from(signed.signature, "hex");
    const pk = Buffer.from(k.publicKeyHex, "hex");
    expect(nativeEd25519Verify(sig, msg, pk)).toBe(portableEd25519Verify(sig, msg, pk));
    expect(nativeEd25519Verify(sig.subarray(0, 63), msg, pk)).toBe(false);
    expect(nativeEd25519Verify(sig, msg, pk.subarray(0, 31))).toBe(false);
  });
});
