import { NextResponse } from "next/server";
import { route } from "@/server/http/route";
import { SESSION_COOKIE_PLAIN, SESSION_COOKIE_SECURE } from "@/server/auth/session";
import { logout } from "@/server/services/auth/logout";

export const POST = route({ auth: "authenticated" }, async ({ ctx }) => {
  await logout(ctx);
  const res = NextResponse.json({ ok: true });
  res.cookies.delete(SESSION_COOKIE_PLAIN);
  res.cookies.set(SESSION_COOKIE_SECURE, "", { path: "/", secure: true, httpOnly: true, sameSite: "lax", maxAge: 0 });
  return res;
});
