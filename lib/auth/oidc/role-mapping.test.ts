import { describe, expect, it } from "vitest";
import { APP_ROLE_VALUES, appRolesManifestFragment, appRolesScript, groupListSchema, mapRole, type GroupMapping } from "@/lib/auth/oidc/role-mapping";

const helpdeskGroup = "0f2ae8e5-5e59-4f79-9d3c-6f0d3b2a1c44";
const adminGroup = "1a3bf9f6-6f6a-4a8a-8e4d-7a1e4c3b2d55";
const groups: GroupMapping = { admin: [adminGroup], helpdesk: [helpdeskGroup], member: [] };

describe("mapRole", () => {
  it("takes the highest role any app role or group grants", () => {
    expect(mapRole({ roles: ["Calsync.Member"], groups: [helpdeskGroup] }, groups)).toEqual({ role: "helpdesk", source: "group", claim: helpdeskGroup });
    expect(mapRole({ roles: ["Calsync.Admin"], groups: [helpdeskGroup] }, groups)).toEqual({ role: "admin", source: "app-role", claim: "Calsync.Admin" });
    expect(mapRole({ roles: [], groups: [adminGroup.toUpperCase()] }, groups)?.role).toBe("admin");
  });

  it("gives no role for unknown app roles or groups, so the caller decides about members", () => {
    expect(mapRole({ roles: ["calsync.admin", "Other.Admin"], groups: ["2b4c0a07-7a7b-4b9b-9f5e-8b2f5d4c3e66"] }, groups)).toBeNull();
  });
});

describe("app role set-up", () => {
  it("defines the three app roles in the manifest fragment and the script", () => {
    const manifest = JSON.parse(appRolesManifestFragment()) as { appRoles: { value: string; allowedMemberTypes: string[] }[] };
    expect(manifest.appRoles.map((role) => role.value)).toEqual(Object.values(APP_ROLE_VALUES));
    expect(manifest.appRoles.every((role) => role.allowedMemberTypes.includes("User"))).toBe(true);
    const script = appRolesScript("11111111-1111-4111-8111-111111111111");
    expect(script).toContain("APP_ID='11111111-1111-4111-8111-111111111111'");
    expect(script).toContain("az ad app update");
    for (const value of Object.values(APP_ROLE_VALUES)) expect(script).toContain(value);
  });

  it("reads a list of group ids and refuses anything else", () => {
    expect(groupListSchema.parse(`${helpdeskGroup}\n${adminGroup.toUpperCase()}, ${helpdeskGroup}`)).toEqual([helpdeskGroup, adminGroup]);
    expect(groupListSchema.safeParse("Helpdesk team").success).toBe(false);
    expect(groupListSchema.parse("")).toEqual([]);
  });
});
