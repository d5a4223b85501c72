import { describe, expect, it } from "vitest";
import { createApiKeySchema, scopeField } from "@/lib/api/api-key-form";
import { parseApiKey } from "@/lib/api/api-keys";

describe("createApiKeySchema", () => {
  it("collects the checked scopes and makes the expiry the end of the chosen day", () => {
    const parsed = createApiKeySchema.parse({ name: " Engine A ", expiresOn: "2099-05-01", [scopeField("connections:read")]: "on", [scopeField("tokens:issue")]: "on" });
    expect(parsed).toEqual({ name: "Engine A", scopes: ["connections:read", "tokens:issue"], expiresAt: new Date("2099-05-02T00:00:00Z") });
    expect(createApiKeySchema.parse({ name: "B", expiresOn: "", [scopeField("reports:write")]: "on" }).expiresAt).toBeNull();
  });

  it("names the field of each mistake", () => {
    const issues = (input: Record<string, string>) => createApiKeySchema.safeParse(input).error?.issues.map((issue) => [issue.path.join("."), issue.message]);
    expect(issues({ name: "", [scopeField("tokens:issue")]: "on" })).toEqual([["name", "Name the key after the engine or host that will use it"]]);
    expect(issues({ name: "x" })).toEqual([[scopeField("connections:read"), "Choose at least one scope"]]);
    expect(issues({ name: "x", expiresOn: "2020-01-01", [scopeField("tokens:issue")]: "on" })).toEqual([["expiresOn", "Choose today or a later date"]]);
    expect(issues({ name: "x", expiresOn: "01/05/2099", [scopeField("tokens:issue")]: "on" })).toEqual([["expiresOn", "Enter the expiry as a date (YYYY-MM-DD), or leave it empty"]]);
  });
});

describe("parseApiKey", () => {
  it("accepts only csk_<8>_<43>", () => {
    expect(parseApiKey(`csk_abcd1234_${"A".repeat(43)}`)).toEqual({ prefix: "csk_abcd1234" });
    for (const bad of ["", "csk_abcd1234", `csk_ABCD1234_${"A".repeat(43)}`, `csk_abcd1234_${"A".repeat(42)}`, `xsk_abcd1234_${"A".repeat(43)}`]) expect(parseApiKey(bad)).toBeNull();
  });
});
