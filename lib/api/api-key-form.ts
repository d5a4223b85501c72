import { z } from "zod";
import { apiScopes, type ApiScope } from "@/lib/auth/access-policy";
import { plainText } from "@/lib/validation/text";

/**
 * The API-key forms' schemas, shared by the settings page (field names, labels) and its actions.
 * Each scope is its own checkbox field (`scope.<name>`), because the one Field component renders a
 * checkbox per name; the "choose at least one" message is attached to the first of them.
 */

export const scopeLabels: Record<ApiScope, { label: string; description: string }> = {
  "connections:read": { label: "Read connections", description: "List connections and read their settings and state." },
  "credentials:read": {
    label: "Read client secrets",
    description: "Also receive each connection's client secret. Every read is audited; prefer the token broker.",
  },
  "tokens:issue": { label: "Issue Graph tokens", description: "Get Microsoft Graph tokens minted by the console, without holding the secret." },
  "reports:write": { label: "Report sync runs", description: "Send the outcome of each sync run." },
};

export const scopeField = (scope: ApiScope) => `scope.${scope}`;

const checkbox = z.literal("on").optional();

export const MAX_KEY_NAME = 100;

export const createApiKeySchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, { message: "Name the key after the engine or host that will use it" })
      .max(MAX_KEY_NAME, { message: `Use at most ${MAX_KEY_NAME} characters` })
      .check(plainText("The key name")),
    expiresOn: z.preprocess(
      (value) => (value === "" ? undefined : value),
      z.iso.date({ message: "Enter the expiry as a date (YYYY-MM-DD), or leave it empty" }).optional(),
    ),
    ...Object.fromEntries(apiScopes.map((scope) => [scopeField(scope), checkbox])),
  })
  .transform((value, ctx) => {
    const fields = value as Record<string, unknown>;
    const scopes = apiScopes.filter((scope) => fields[scopeField(scope)] === "on");
    if (scopes.length === 0) {
      ctx.addIssue({ code: "custom", path: [scopeField(apiScopes[0])], message: "Choose at least one scope" });
      return z.NEVER;
    }
    // The key works through the whole chosen day (UTC) and stops at the next midnight.
    const expiresAt = value.expiresOn ? new Date(Date.parse(`${value.expiresOn}T00:00:00Z`) + 86_400_000) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      ctx.addIssue({ code: "custom", path: ["expiresOn"], message: "Choose today or a later date" });
      return z.NEVER;
    }
    return { name: value.name, scopes, expiresAt };
  });

export const revokeApiKeySchema = z.object({ keyId: z.uuid({ message: "Unknown API key" }) });
