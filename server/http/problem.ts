import type { FieldError, ServiceErrorCode } from "../services/errors";

export type ProblemCode = ServiceErrorCode | "internal";

const STATUS: Record<ProblemCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

const TITLE: Record<ProblemCode, string> = {
  bad_request: "Bad request",
  unauthenticated: "Authentication required",
  forbidden: "Forbidden",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  conflict: "Conflict",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  validation_failed: "Validation failed",
  rate_limited: "Too many requests",
  internal: "Internal error",
  unavailable: "Temporarily unavailable",
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  requestId: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function statusOf(code: ProblemCode): number {
  return STATUS[code];
}

export function problem(code: ProblemCode, detail: string, requestId: string, extra: Record<string, unknown> = {}): Problem {
  return {
    type: `https://portcullis.dev/problems/${code.replaceAll("_", "-")}`,
    title: TITLE[code],
    status: STATUS[code],
    code,
    detail,
    requestId,
    ...extra,
  };
}

export function problemResponse(p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(p), {
    status: p.status,
    headers: { "content-type": "application/problem+json", "x-request-id": p.requestId, "cache-control": "no-store", ...headers },
  });
}
