import { route, isSecureRequest } from "@/server/http/route";
import { sessionCookieName, sessionCookieOptions } from "@/server/auth/session";
import { ZLogin } from "@/server/services/schemas";
import { login } from "@/server/services/auth/login";
import { NextResponse } from "next/server";

export const POST = route({ auth: "public", body: ZLogin }, async ({ body, ctx, req }) => {
  const result = await login(ctx, body);
  const secure = isSecureRequest(req);
  const res = NextResponse.json({ user: result.user }, { headers: { "cache-control": "no-store" } });
  res.cookies.set(sessionCookieName(secure), result.secret, sessionCookieOptions(secure, result.maxAgeSeconds));
  return res;
});
