import "server-only";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { forbidden, redirect } from "next/navigation";
import { getPrisma } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { CLIENT_IP_HEADER, CLIENT_PROTO_HEADER } from "@/lib/request-headers";
import { actionPolicy, isAllowed, pagePolicy, routePolicy, type Access, type ActionName, type PageName, type RouteName } from "@/lib/auth/access-policy";
import { signInPath } from "@/lib/auth/form-schemas";
import { getSessionUser, revokeSession, type SessionPolicy, type SessionUser } from "@/lib/auth/sessions";

export const SESSION_COOKIE = "calsync_session";


export function sessionPolicy(): SessionPolicy {
  const env = getEnv();
  return { idleMinutes: env.CALSYNC_SESSION_IDLE_MINUTES, absoluteHours: env.CALSYNC_SESSION_ABSOLUTE_HOURS };
}

export async function requestContext(): Promise<{ ip: string | null; userAgent: string | null; secure: boolean }> {
  const list = await headers();
  const env = getEnv();
  return {
    ip: list.get(CLIENT_IP_HEADER),
    userAgent: list.get("user-agent"),
    secure: list.get(CLIENT_PROTO_HEADER) === "https" || env.CALSYNC_PUBLIC_URL?.startsWith("https://") === true,
  };
}

// The layout and the page both ask who is signing in; React's per-request cache makes that one lookup.
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  return getSessionUser(await getPrisma(), token, sessionPolicy());
});

export async function setSessionCookie(token: string, expiresAt: Date): Promise<void> {
  const { secure } = await requestContext();
  (await cookies()).set(SESSION_COOKIE, token, { httpOnly: true, sameSite: "lax", secure, path: "/", expires: expiresAt });
}

export async function endCurrentSession(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  if (token) await revokeSession(await getPrisma(), token);
  jar.delete(SESSION_COOKIE);
}

/** For pages: sends visitors to sign-in and answers 403 to signed-in users without the role. */
export async function authorizePage(page: PageName, returnTo?: string): Promise<SessionUser | null> {
  const access = pagePolicy[page];
  if (access === "public") return getCurrentUser();
  const user = await getCurrentUser();
  if (!user) redirect(signInPath(returnTo));
  if (!isAllowed(access, user.role)) forbidden();
  return user;
}

export type ActionCaller = { allowed: true; user: SessionUser | null } | { allowed: false; signedIn: boolean };

export async function authorizeAction(action: ActionName): Promise<ActionCaller> {
  const user = await getCurrentUser();
  return isAllowed(actionPolicy[action], user?.role ?? null) ? { allowed: true, user } : { allowed: false, signedIn: user !== null };
}

export async function authorizeRoute(route: RouteName): Promise<ActionCaller> {
  const access: Access = routePolicy[route];
  if (access === "public") return { allowed: true, user: await getCurrentUser() };
  const user = await getCurrentUser();
  return user && isAllowed(access, user.role) ? { allowed: true, user } : { allowed: false, signedIn: user !== null };
}
