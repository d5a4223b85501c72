import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { endCurrentSession, getCurrentUser, sessionPolicy, setSessionCookie } from "@/lib/auth/current-user";
import { createSession } from "@/lib/auth/sessions";
import { useDatabase } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { createUserForSuite } from "@/test-support/console-users";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";

type SetCookie = { name: string; value: string; secure?: boolean; path?: string; domain?: string; httpOnly?: boolean; sameSite?: string; expires?: Date };

// The browser's cookie jar for one request, and every Set-Cookie the console wrote into it.
const jar = vi.hoisted(() => ({ sent: new Map<string, string>(), written: [] as SetCookie[] }));
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (jar.sent.has(name) ? { name, value: jar.sent.get(name)! } : undefined),
    set: (...args: [string, string, Omit<SetCookie, "name" | "value">?] | [SetCookie]) => {
      jar.written.push(typeof args[0] === "string" ? { name: args[0], value: args[1]!, ...(args[2] as object) } : args[0]);
    },
    delete: (...args: [string] | [Omit<SetCookie, "value">]) => {
      jar.written.push({ ...(typeof args[0] === "string" ? { name: args[0] } : args[0]), value: "", expires: new Date(0) });
    },
  }),
  headers: async () => new Headers(),
}));

function withPublicUrl(url: string | undefined): void {
  if (url === undefined) delete process.env.CALSYNC_PUBLIC_URL;
  else process.env.CALSYNC_PUBLIC_URL = url;
  resetEnvCache();
}

afterEach(() => {
  withPublicUrl(undefined);
  jar.sent.clear();
  jar.written.length = 0;
});

describe.each(testEngines())("the session cookie on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const user = createUserForSuite(database, "cookie@example.com", "Cookie", "member");
  beforeAll(() => useDatabase(database));

  it("is a Secure, host-only __Host- cookie for the whole site when the public URL is https", async () => {
    withPublicUrl("https://calsync.example.com");
    const { token, expiresAt } = await createSession(database.prisma, { userId: user.id }, sessionPolicy());
    await setSessionCookie(token, expiresAt);
    expect(jar.written).toEqual([expect.objectContaining({ name: "__Host-calsync_session", value: token, secure: true, path: "/", httpOnly: true })]);
    expect(jar.written[0]!.domain).toBeUndefined();

    // Only that name signs anyone in: a cookie without the prefix can be planted by a sibling host.
    jar.sent.set("calsync_session", token);
    expect(await getCurrentUser()).toBeNull();
    jar.sent.clear();
    jar.sent.set("__Host-calsync_session", token);
    expect(await getCurrentUser()).toMatchObject({ id: user.id });

    // Browsers ignore a Set-Cookie for a __Host- name that is not Secure with path /, so the removal is too.
    jar.written.length = 0;
    await endCurrentSession();
    expect(jar.written).toEqual([expect.objectContaining({ name: "__Host-calsync_session", value: "", secure: true, path: "/" })]);
    expect(await database.prisma.session.count({ where: { userId: user.id } })).toBe(0);
  });

  it("keeps the plain name on an http public URL, where a __Host- cookie could not be set", async () => {
    withPublicUrl("http://calsync.example.test:8080");
    const { token, expiresAt } = await createSession(database.prisma, { userId: user.id }, sessionPolicy());
    await setSessionCookie(token, expiresAt);
    expect(jar.written).toEqual([expect.objectContaining({ name: "calsync_session", value: token, path: "/" })]);
    jar.sent.set("calsync_session", token);
    expect(await getCurrentUser()).toMatchObject({ id: user.id });
  });
});
