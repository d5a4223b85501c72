import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as runChecks } from "@/app/api/connections/[id]/checks/route";
import { POST as verifyDraft } from "@/app/api/wizard/verify/route";
import { GET as mailboxCallback } from "@/app/connect/callback/route";
import { GET as adminConsentCallback } from "@/app/connections/new/admin-consent/callback/route";
import { useDatabase } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";

// A signed-in browser: every console route looks its caller up in the database first.
vi.mock("next/headers", () => ({
  cookies: async () => ({ get: () => ({ name: "calsync_session", value: "a-session-token-of-thirty-two-chars" }) }),
  headers: async () => new Headers(),
}));

const unreachable = "postgresql://calsync:hunter2-db-password@127.0.0.1:9/calsync";
const origin = "http://localhost:3000";
const sameOrigin = { origin, host: "localhost:3000" };

const routes: Array<[string, () => Promise<Response>]> = [
  ["POST /api/wizard/verify", () => verifyDraft(new Request(`${origin}/api/wizard/verify`, { method: "POST", headers: sameOrigin }), { params: Promise.resolve({}) })],
  [
    "POST /api/connections/[id]/checks",
    () => runChecks(new Request(`${origin}/api/connections/${randomUUID()}/checks`, { method: "POST", headers: sameOrigin }), { params: Promise.resolve({ id: randomUUID() }) }),
  ],
  ["GET /connect/callback", () => mailboxCallback(new Request(`${origin}/connect/callback?code=abc&state=def`), { params: Promise.resolve({}) })],
  [
    "GET /connections/new/admin-consent/callback",
    () => adminConsentCallback(new Request(`${origin}/connections/new/admin-consent/callback?admin_consent=True&state=x`), { params: Promise.resolve({}) }),
  ],
];

describe("console route handlers while the database is not answering", () => {
  beforeEach(() => {
    process.env.DATABASE_URL = unreachable;
    resetEnvCache();
    useDatabase(undefined);
  });

  afterEach(() => {
    delete process.env.DATABASE_URL;
    resetEnvCache();
    useDatabase(undefined);
  });

  it.each(routes)("%s answers 503 with a problem document", async (_route, call) => {
    const response = await call();
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ type: "urn:calsync:problem:database-unavailable", status: 503, detail: expect.stringMatching(/^The database is not answering/) });
    expect(text).not.toContain("hunter2");
  });
});
