import { createHash, randomBytes } from "node:crypto";

/** SHA-256 hex of a secret; only this is stored for session ids and API tokens. */
export function sha256(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function newSessionSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** Personal API tokens look like `pcl_<8 chars>_<secret>`; the prefix identifies it in lists. */
export function newApiToken(): { token: string; prefix: string } {
  const prefix = randomBytes(6).toString("base64url").slice(0, 8);
  return { token: `pcl_${prefix}_${randomBytes(30).toString("base64url")}`, prefix: `pcl_${prefix}` };
}

export function looksLikeApiToken(value: string): boolean {
  return /^pcl_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{40}$/.test(value);
}

/** Agent bootstrap tokens (`pcb_...`) and agent credentials (`pca_...`). */
export function newAgentSecret(kind: "bootstrap" | "credential"): { token: string; prefix: string } {
  const tag = kind === "bootstrap" ? "pcb" : "pca";
  const prefix = randomBytes(6).toString("base64url").slice(0, 8);
  return { token: `${tag}_${prefix}_${randomBytes(30).toString("base64url")}`, prefix: `${tag}_${prefix}` };
}

export function looksLikeAgentSecret(kind: "bootstrap" | "credential", value: string): boolean {
  const tag = kind === "bootstrap" ? "pcb" : "pca";
  return new RegExp(`^${tag}_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{40}$`).test(value);
}
