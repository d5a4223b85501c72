import { describe, expect, it } from "vitest";
import { knownClouds } from "@/lib/entra/clouds";
import { describeTokenAbilities, inspectSetupToken, roleTemplates } from "@/lib/provisioning/setup-token";

function token(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.signature`;
}

const now = new Date("2026-12-01T12:00:00Z");
const base = {
  aud: "https://graph.microsoft.com",
  tid: "7a1c2e3f-4b5d-4c6e-8f70-819a2b3c4d5e",
  oid: "a0000000-0000-4000-8000-000000000001",
  upn: "admin@contoso.onmicrosoft.com",
  exp: now.getTime() / 1000 + 3600,
  scp: "Application.ReadWrite.All AppRoleAssignment.ReadWrite.All Directory.AccessAsUser.All User.Read",
  wids: [roleTemplates.globalAdministrator],
};

describe("inspectSetupToken", () => {
  it("reads tenant, user, expiry, scopes and roles, and says what an Azure CLI token cannot do", () => {
    const result = inspectSetupToken(`Bearer ${token(base)}\n`, knownClouds.global, now);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.facts).toMatchObject({ tenantId: base.tid, account: base.upn, roleTemplateIds: [roleTemplates.globalAdministrator], can: { createApps: true, grant: true, readPolicies: false } });
    expect(describeTokenAbilities(result.facts).cannot.join(" ")).toContain("read the tenant's policies");
  });

  it("accepts Graph's app id as audience and refuses another cloud's Graph", () => {
    expect(inspectSetupToken(token({ ...base, aud: "00000003-0000-0000-c000-000000000000" }), knownClouds.global, now).ok).toBe(true);
    expect(inspectSetupToken(token(base), knownClouds.usgov, now)).toMatchObject({ ok: false, problem: expect.stringContaining("not for Microsoft Graph in US Government") });
    expect(inspectSetupToken(token({ ...base, aud: "https://management.azure.com" }), knownClouds.global, now)).toMatchObject({ ok: false });
  });

  it("refuses app-only, expiring and malformed tokens with plain reasons", () => {
    const { scp: _scp, ...appOnly } = base;
    expect(inspectSetupToken(token({ ...appOnly, roles: ["Application.ReadWrite.All"] }), knownClouds.global, now)).toMatchObject({ ok: false, problem: expect.stringContaining("belongs to an application") });
    expect(inspectSetupToken(token({ ...base, exp: now.getTime() / 1000 + 60 }), knownClouds.global, now)).toMatchObject({ ok: false, problem: expect.stringContaining("expire") });
    expect(inspectSetupToken("not a token", knownClouds.global, now)).toMatchObject({ ok: false, problem: expect.stringContaining("not an access token") });
  });

  it("leaves the roles unknown when the token has no wids", () => {
    const { wids: _wids, ...withoutWids } = base;
    const result = inspectSetupToken(token(withoutWids), knownClouds.global, now);
    expect(result.ok && result.facts.roleTemplateIds).toBeUndefined();
  });
});
