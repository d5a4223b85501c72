import { describe, expect, it } from "vitest";
import { checkFormat } from "@/lib/checks/format";
import type { CheckInput } from "@/lib/checks/schema";

const tenant = "11111111-2222-4333-8444-555555555555";
const clientId = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
const base: CheckInput = { cloud: "global", tenant, clientId, clientSecret: "abc8Q~s3cr3tValueThatIsLongEnough.xyz", mailboxScope: { kind: "all" } };

describe("checkFormat", () => {
  it("passes good values", () => {
    const result = checkFormat(base);
    expect(result.ok).toBe(true);
    expect(result.check).toMatchObject({ id: "format", status: "pass" });
    expect(result.cleanedFields).toEqual([]);
  });

  it("removes whitespace, zero-width characters, NBSP, BOM and trailing newlines and says so", () => {
    const result = checkFormat({
      ...base,
      tenant: `\uFEFF ${tenant.toUpperCase()}\u200B\n`,
      clientId: `\u00A0{${clientId}}\r\n`,
      clientSecret: `${base.clientSecret}\n`,
    });
    expect(result.ok).toBe(true);
    expect(result.cleaned.tenant).toBe(tenant);
    expect(result.cleaned.clientId).toBe(clientId);
    expect(result.cleaned.clientSecret).toBe(base.clientSecret);
    expect(result.cleanedFields).toEqual(["tenant", "clientId", "clientSecret"]);
    expect(result.check.detail).toMatch(/Cleaned pasted values.*Tenant, Client ID, Client secret/);
  });

  it.each([
    ["a GUID-shaped secret (Secret ID copied)", { clientSecret: "9f1c2b3a-1111-4222-8333-444455556666" }, "clientSecret", "secret-is-secret-id", "client-secret"],
    ["client ID equal to tenant ID", { clientId: tenant }, "clientId", "client-id-is-tenant-id", "copy-ids"],
    ["Graph Explorer's app ID", { clientId: "de8bc8b5-d9f9-48b1-a8ad-b748da725064" }, "clientId", "client-id-first-party", "copy-ids"],
    ["Microsoft Graph's app ID", { clientId: "00000003-0000-0000-c000-000000000000" }, "clientId", "client-id-first-party", "copy-ids"],
    ["Azure CLI's app ID", { clientId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46" }, "clientId", "client-id-first-party", "copy-ids"],
    ["an api:// URI as client ID", { clientId: `api://${clientId}` }, "clientId", "client-id-uri", "copy-ids"],
    ["a non-GUID client ID", { clientId: "my-app" }, "clientId", "client-id-invalid", "copy-ids"],
    ["a personal mail domain as tenant", { tenant: "outlook.com" }, "tenant", "tenant-personal-domain", "copy-ids"],
    ["gmail as tenant", { tenant: "gmail.com" }, "tenant", "tenant-personal-domain", "copy-ids"],
    ["an email address as tenant", { tenant: "adele@contoso.com" }, "tenant", "tenant-email", "copy-ids"],
    ["a portal URL as tenant", { tenant: `https://login.microsoftonline.com/${tenant}/oauth2` }, "tenant", "tenant-url", "copy-ids"],
    ["common as tenant", { tenant: "common" }, "tenant", "tenant-not-specific", "copy-ids"],
    ["an empty secret", { clientSecret: "  " }, "clientSecret", "secret-missing", "client-secret"],
    ["a truncated GUID tenant", { tenant: "11111111-2222-4333" }, "tenant", "tenant-invalid", "copy-ids"],
  ] as const)("flags %s by name", (_label, patch, field, code, step) => {
    const result = checkFormat({ ...base, ...patch });
    expect(result.ok).toBe(false);
    expect(result.check).toMatchObject({ id: "format", status: "fail", code, fix: { step } });
    expect(result.fields[field]).toBeTruthy();
  });

  it("suggests the right initial domain for an .onmicrosoft.com typo", () => {
    for (const typo of ["contoso.onmicrosft.com", "contoso.onmicrosoft.co", "contoso.onmicrosoft.con", "contoso.microsoftonline.com"]) {
      const result = checkFormat({ ...base, tenant: typo });
      expect(result.check.code, typo).toBe("tenant-domain-typo");
      expect(result.fields.tenant).toContain("contoso.onmicrosoft.com");
    }
    expect(checkFormat({ ...base, tenant: "contoso.onmicrosoft.com" }).check.status).toBe("pass");
    expect(checkFormat({ ...base, tenant: "contoso.onmicrosoft.us" }).check.status).toBe("pass");
    expect(checkFormat({ ...base, tenant: "contoso.com" }).check.status).toBe("pass");
  });

  it("checks mailboxes and never echoes the secret", () => {
    const result = checkFormat({ ...base, clientSecret: "9f1c2b3a-1111-4222-8333-444455556666", testMailbox: "not a mailbox", mailboxScope: { kind: "list", mailboxes: [] } });
    expect(result.fields.testMailbox).toBeTruthy();
    expect(result.fields.mailboxes).toBeTruthy();
    expect(JSON.stringify(result.check)).not.toContain("9f1c2b3a-1111-4222-8333-444455556666");
  });
});
