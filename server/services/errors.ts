/**
 * The closed set of errors a service may throw. The HTTP layer maps each code to a status
 * and an RFC 9457 problem document in one place (server/http/problem.ts).
 */
export type ServiceErrorCode =
  | "bad_request"
  | "validation_failed"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "method_not_allowed"
  | "unavailable";

export interface FieldError {
  /** Dotted/bracketed path of the field, e.g. `spec.egress[0].destination.nets[1]`. */
  path: string;
  message: string;
}

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly extra: { errors?: FieldError[]; retryAfterSeconds?: number; [k: string]: unknown } = {},
  ) {
    super(message);
    this.name = "ServiceError";
  }
}

export const notFound = (what: string) => new ServiceError("not_found", `${what} was not found`);
export const forbidden = (why = "your roles do not allow this action") => new ServiceError("forbidden", why);
export const conflict = (why: string, extra: Record<string, unknown> = {}) => new ServiceError("conflict", why, extra);
export const invalid = (errors: FieldError[], detail?: string) =>
  new ServiceError("validation_failed", detail ?? errors.map((e) => `${e.path}: ${e.message}`).join("; "), { errors });

/** Formats a zod issue path as `a.b[0].c`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out;
}
