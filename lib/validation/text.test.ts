import { describe, expect, it } from "vitest";
import { z } from "zod";
import { engineReportInputSchema } from "@/lib/api/schemas";
import { createApiKeySchema } from "@/lib/api/api-key-form";
import { auditFilterSchema } from "@/lib/audit/audit";
import { acceptInviteSchema, claimConsoleSchema, createUserSchema, inviteUserSchema, signInSchema } from "@/lib/auth/form-schemas";
import { deleteConnectionSchema, updateConnectionSchema } from "@/lib/connections/form-schemas";
import { setupScriptOptionsSchema } from "@/lib/entra/setup-scripts";
import { createChannelSchema, deleteChannelSchema } from "@/lib/jobs/channel-schemas";
import { statusFilterSchema } from "@/lib/monitoring/status";
import { plainText, rejectedSearch } from "@/lib/validation/text";
import { stepFormSchema } from "@/lib/wizard/step-forms";

const TEXT_MESSAGE = /cannot contain control characters \(such as NUL, ESC or BEL\) or text-direction characters \(such as U\+202E\)$/;

// NUL, ESC (a terminal escape), BEL, DEL, a C1 control (NEL), the right-to-left override, a bidi isolate, a line separator.
const hostile = ["\u0000", "\u001b[31m", "\u0007", "\u007f", "\u0085", "\u202e", "\u2066", "\u2028"];

describe("plainText", () => {
  const name = z.string().check(plainText("The name"));
  const notes = z.string().check(plainText("The notes", { multiLine: true }));

  it.each(hostile)("refuses %j with a message that names the field", (character) => {
    const result = name.safeParse(`Contoso${character}sync`);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(
      "The name cannot contain control characters (such as NUL, ESC or BEL) or text-direction characters (such as U+202E)",
    );
  });

  it("accepts every script, accents, emoji and right-to-left letters", () => {
    for (const value of ["Zoë’s Café — Tokyo 東京", "שלום עולם", "مرحبا", "Team 🚀 sync", "a\u00a0b", "100% a_b"]) {
      expect(name.safeParse(value)).toEqual({ success: true, data: value });
    }
  });

  it("line breaks and tabs are text only in multi-line fields", () => {
    expect(name.safeParse("line one\nline two").success).toBe(false);
    expect(name.safeParse("a\tb").success).toBe(false);
    expect(notes.safeParse("line one\r\nline two\n\tindented")).toMatchObject({ success: true });
    for (const character of hostile.filter((value) => value !== "\u2028")) expect(notes.safeParse(`x${character}y`).success).toBe(false);
  });
});

type Case = { schema: z.ZodType; valid: Record<string, unknown>; field: string; multiLine?: boolean };

const uuid = "7b0c1f43-1d2a-4c1e-9f11-2b1b8a4c5d6e";
const password = "a long correct passphrase";
const user = { displayName: "Ada Lovelace", email: "ada@example.com", password, confirmPassword: password };

const cases: Record<string, Case> = {
  "first admin's name": { schema: claimConsoleSchema, valid: { code: "ABCD-1234", ...user }, field: "displayName" },
  "first admin's email": { schema: claimConsoleSchema, valid: { code: "ABCD-1234", ...user }, field: "email" },
  "new user's name": { schema: createUserSchema, valid: { ...user, role: "helpdesk" }, field: "displayName" },
  "new user's email": { schema: createUserSchema, valid: { ...user, role: "helpdesk" }, field: "email" },
  "invited user's name": { schema: acceptInviteSchema, valid: { token: "t".repeat(40), ...user }, field: "displayName" },
  "invitation email": { schema: inviteUserSchema, valid: { email: "ada@example.com", role: "member" }, field: "email" },
  "sign-in email": { schema: signInSchema, valid: { email: "ada@example.com", password }, field: "email" },
  "channel name": { schema: createChannelSchema, valid: { kind: "webhook", name: "Ops", target: "https://hooks.example.com/x", onStateChange: "on" }, field: "name" },
  "webhook URL": { schema: createChannelSchema, valid: { kind: "webhook", name: "Ops", target: "https://hooks.example.com/x", onStateChange: "on" }, field: "target" },
  "email channel addresses": { schema: createChannelSchema, valid: { kind: "email", name: "Ops", target: "ops@example.com", onStateChange: "on" }, field: "target" },
  "channel delete confirmation": { schema: deleteChannelSchema, valid: { id: uuid, confirmName: "Ops" }, field: "confirmName" },
  "API key name": { schema: createApiKeySchema, valid: { name: "sync-01", "scope.connections:read": "on" }, field: "name" },
  "wizard connection name": { schema: stepFormSchema, valid: { step: "copy-ids", name: "Contoso" }, field: "name" },
  "connection name": { schema: updateConnectionSchema, valid: { id: uuid, version: "1", name: "Contoso", mailboxScopeKind: "all", secretExpiresAt: "" }, field: "name" },
  "connection delete confirmation": { schema: deleteConnectionSchema, valid: { id: uuid, confirmName: "Contoso" }, field: "confirmName" },
  "setup script app name": { schema: setupScriptOptionsSchema, valid: { appName: "CalendarSync" }, field: "appName" },
  "engine report error code": { schema: engineReportInputSchema, valid: { outcome: "failure", errorCode: "ErrorItemNotFound" }, field: "errorCode" },
  "engine report message": { schema: engineReportInputSchema, valid: { outcome: "failure", message: "Item not found" }, field: "message", multiLine: true },
};

describe("every name and free-text field refuses control and text-direction characters", () => {
  for (const [label, { schema, valid, field, multiLine }] of Object.entries(cases)) {
    it(`${label} (${field})`, () => {
      expect(schema.safeParse(valid).success).toBe(true);
      // Inside the value, where trimming cannot remove it; multi-line text may use the line separator.
      for (const character of hostile.filter((value) => !multiLine || value !== "\u2028")) {
        const value = `${String(valid[field]).slice(0, 1)}${character}${String(valid[field]).slice(1)}`;
        const result = schema.safeParse({ ...valid, [field]: value });
        expect(result.success, `${JSON.stringify(value)} was accepted`).toBe(false);
        // The first issue on the field is what the form shows beside it (run-action.ts keeps the first).
        const first = result.error!.issues.find((issue) => issue.path.join(".") === field);
        expect(first?.message, JSON.stringify(value)).toMatch(TEXT_MESSAGE);
      }
    });
  }

  it("the engine report message keeps its line breaks", () => {
    expect(engineReportInputSchema.safeParse({ outcome: "partial", message: "3 items failed:\n\tErrorItemNotFound" }).success).toBe(true);
  });
});

describe("search boxes", () => {
  it.each([
    ["status", statusFilterSchema],
    ["audit", auditFilterSchema],
  ] as const)("the %s search drops a query with control characters instead of sending it to the database", (_label, schema) => {
    expect(schema.parse({ q: "a\u0000b" }).q).toBeUndefined();
    expect(schema.parse({ q: "\u202egnp.exe" }).q).toBeUndefined();
    expect(schema.parse({ q: " 100% a_b " }).q).toBe("100% a_b");
  });

  it("the other free-text filters too: audit actor and action, status cloud", () => {
    expect(auditFilterSchema.parse({ actor: "ada\u0000@example.com" }).actor).toBeUndefined();
    expect(auditFilterSchema.parse({ action: "user.create\u0000" }).action).toBeUndefined();
    expect(statusFilterSchema.parse({ cloud: "global\u0000" }).cloud).toBeUndefined();
    expect(statusFilterSchema.parse({ cloud: "global" }).cloud).toBe("global");
  });

  it("says why a search was ignored", () => {
    expect(rejectedSearch({ q: "a\u0000b" })).toMatch(/^The search was ignored: it cannot contain control characters/);
    expect(rejectedSearch({ q: "100% a_b" })).toBeNull();
    expect(rejectedSearch({})).toBeNull();
    expect(rejectedSearch({ q: ["a", "b"] })).toBeNull();
  });
});
