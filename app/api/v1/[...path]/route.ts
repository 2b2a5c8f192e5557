import { problem, problemResponse } from "@/server/http/problem";
import { requestIdOf } from "@/server/http/route";

/** Any /api/v1 path that no route serves: a problem document, never an HTML page. */
function notFound(req: Request): Response {
  const url = new URL(req.url);
  return problemResponse(problem("not_found", `no API route at ${url.pathname}`, requestIdOf(req)));
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
