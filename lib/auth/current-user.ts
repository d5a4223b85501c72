import "server-only";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { forbidden, redirect } from "next/navigation";
import { getPrisma } from "@/lib/db/client";
import { getEnv, type Env } from "@/lib/env";
import { isHttpsPublicUrl } from "@/lib/public-url";
import { CLIENT_IP_HEADER, CLIENT_PROTO_HEADER } from "@/lib/request-headers";
import { actionPolicy, isAllowed, pagePolicy, routePolicy, type Access, type ActionName, type PageName, type RouteName } from "@/lib/auth/access-policy";
import { signInPath } from "@/lib/auth/form-schemas";
import { getSessionUser, revokeSession, type SessionPolicy, type SessionUser } from "@/lib/auth/sessions";

/**
 * With an https public URL the cookie carries the `__Host-` prefix: browsers then accept it only when
 * it is Secure, for path / and without a Domain, so neither a sibling host nor a plain-http response
 * for the same host can plant or shadow a session. On plain http such a cookie could not be set at all.
 */
export function sessionCookieName(env: Pick<Env, "CALSYNC_PUBLIC_URL"> = getEnv()): string {
  return isHttpsPublicUrl(env) ? "__Host-calsync_session" : "calsync_session";
}

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
    secure: list.get(CLIENT_PROTO_HEADER) === "https" || isHttpsPublicUrl(env),
  };
}

// The layout and the page both ask who is signing in; React's per-request cache makes that one lookup.
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const token = (await cookies()).get(sessionCookieName())?.value;
  if (!token) return null;
  return getSessionUser(await getPrisma(), token, sessionPolicy());
});

export const SESSION_COOKIE_ATTRIBUTES = { httpOnly: true, sameSite: "lax", path: "/" } as const;

export async function setSessionCookie(token: string, expiresAt: Date): Promise<void> {
  const { secure } = await requestContext();
  (await cookies()).set(sessionCookieName(), token, { ...SESSION_COOKIE_ATTRIBUTES, secure, expires: expiresAt });
}

export async function endCurrentSession(): Promise<void> {
  const jar = await cookies();
  const name = sessionCookieName();
  const token = jar.get(name)?.value;
  if (token) await revokeSession(await getPrisma(), token);
  // A removal is a Set-Cookie too, and browsers drop one for a __Host- name without these attributes.
  const { secure } = await requestContext();
  jar.delete({ name, ...SESSION_COOKIE_ATTRIBUTES, secure });
}

/** Who a policy entry lets through: anyone, signed in or not, where it is public; otherwise a signed-in user. */
export type CallerFor<A extends Access> = A extends "public" ? SessionUser | null : SessionUser;

export type AccessDenied = { allowed: false; signedIn: boolean };
export type AccessDecision<A extends Access> = { allowed: true; user: CallerFor<A> } | AccessDenied;

function decide<A extends Access>(access: A, user: SessionUser | null): AccessDecision<A> {
  if (!isAllowed(access, user?.role ?? null)) return { allowed: false, signedIn: user !== null };
  // isAllowed admits a signed-out visitor only to a public entry, which is what CallerFor says.
  return { allowed: true, user: user as CallerFor<A> };
}

/** For pages: sends visitors to sign-in and answers 403 to signed-in users without the role. */
export async function authorizePage<P extends PageName>(page: P, returnTo?: string): Promise<CallerFor<(typeof pagePolicy)[P]>> {
  const decision = decide(pagePolicy[page], await getCurrentUser());
  if (decision.allowed) return decision.user;
  if (!decision.signedIn) redirect(signInPath(returnTo));
  forbidden();
}

export async function authorizeAction<N extends ActionName>(action: N): Promise<AccessDecision<(typeof actionPolicy)[N]>> {
  return decide(actionPolicy[action], await getCurrentUser());
}

/**
 * Public routes never look at the session: resolving a user needs the database, and the health check
 * must answer exactly when the database does not.
 */
export async function authorizeRoute<R extends RouteName>(route: R): Promise<AccessDecision<(typeof routePolicy)[R]>> {
  return decide(routePolicy[route], routePolicy[route] === "public" ? null : await getCurrentUser());
}
