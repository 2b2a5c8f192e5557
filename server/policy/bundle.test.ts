import { describe, expect, it } from "vitest";
import { BUNDLE_FORMAT, BundleVerificationError, generateSigningKey, signBundle, verifyBundle, type BundlePayload } from "./bundle";

const payload: BundlePayload = {
  format: BUNDLE_FORMAT,
  cluster: "prod-eu",
  revision: 7,
  publishedAt: "2026-11-26T10:00:00.000Z",
  resources: [{ apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "security" }, spec: { order: 100 } }],
};

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof BundleVerificationError) return e.reason;
    throw e;
  }
  return "accepted";
}

describe("signed bundles", () => {
  const key = generateSigningKey();
  const signed = signBundle(payload, key.secretKeyHex);

  it("verifies and returns the payload; canonical JSON has sorted keys", () => {
    expect(verifyBundle(signed, key.publicKeyHex, { cluster: "prod-eu", minRevision: 7 })).toEqual(payload);
    expect(signed.payload.startsWith('{"cluster":"prod-eu","format"')).toBe(true);
    expect(signed.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses tampering, other keys, other clusters, stale revisions and junk", () => {
    const tampered = { ...signed, payload: signed.payload.replace('"revision":7', '"revision":8') };
    expect(reason(() => verifyBundle(tampered, key.publicKeyHex, { cluster: "prod-eu" }))).toBe("bad-signature");
    const other = generateSigningKey();
    expect(reason(() => verifyBundle(signed, other.publicKeyHex, { cluster: "prod-eu" }))).toBe("unknown-key");
    expect(reason(() => verifyBundle({ ...signed, keyId: undefined }, other.publicKeyHex, { cluster: "prod-eu" }))).toBe("bad-signature");
    expect(reason(() => verifyBundle(signed, key.publicKeyHex, { cluster: "prod-us" }))).toBe("wrong-cluster");
    expect(reason(() => verifyBundle(signed, key.publicKeyHex, { cluster: "prod-eu", minRevision: 8 }))).toBe("stale-revision");
    expect(reason(() => verifyBundle({ payload: signed.payload }, key.publicKeyHex, { cluster: "prod-eu" }))).toBe("malformed");
    expect(reason(() => verifyBundle("x", key.publicKeyHex, { cluster: "prod-eu" }))).toBe("malformed");
  });
});
