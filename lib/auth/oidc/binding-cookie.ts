import "server-only";
import { cookies } from "next/headers";
import { getEnv } from "@/lib/env";
import { isHttpsPublicUrl } from "@/lib/public-url";
import { requestContext } from "@/lib/auth/current-user";
import { MICROSOFT_SIGN_IN_TTL_MS } from "@/lib/auth/oidc/sign-in";

/**
 * The browser's half of a Microsoft sign-in: a random value whose hash the attempt keeps. Microsoft's
 * redirect back is a top-level GET, so a SameSite=Lax cookie comes along; a callback URL carried to
 * another browser (a login-CSRF attempt) arrives without it and is refused.
 */

function cookieName(): string {
  return isHttpsPublicUrl(getEnv()) ? "__Host-calsync_ms_sign_in" : "calsync_ms_sign_in";
}

const ATTRIBUTES = { httpOnly: true, sameSite: "lax", path: "/" } as const;

export async function setBindingCookie(value: string): Promise<void> {
  const { secure } = await requestContext();
  (await cookies()).set(cookieName(), value, { ...ATTRIBUTES, secure, maxAge: Math.floor(MICROSOFT_SIGN_IN_TTL_MS / 1000) });
}

export async function readBindingCookie(): Promise<string | undefined> {
  return (await cookies()).get(cookieName())?.value;
}
