import { z } from "zod";
import { cloudIdSchema } from "@/lib/entra/clouds";

/**
 * The validation pipeline's wire types. Written once here and shared by the server pipeline, the
 * CLI and the browser (the UI streams `Check` values as they finish), so this module must stay free
 * of server-only imports.
 */

export const checkIdSchema = z.enum([
  "format",
  "tenant",
  "token",
  "permissions",
  "directory",
  "calendar",
  "calendar-write",
  "mailbox-scope",
  // A connected mailbox (delegated sign-in): the saved sign-in still renews, and the account is readable.
  "session",
  "profile",
]);
export type CheckId = z.infer<typeof checkIdSchema>;

export const checkStatusSchema = z.enum(["pass", "warn", "fail", "skip"]);
export type CheckStatus = z.infer<typeof checkStatusSchema>;

/** The wizard steps a fix can send someone to, in the Entra portal's own order. */
export const fixStepIds = ["register-app", "copy-ids", "client-secret", "api-permissions", "admin-consent", "mailbox-scope"] as const;
export type FixStep = (typeof fixStepIds)[number];

/**
 * Steps that were merged into others. Reports stored before the merge, and old links, still name
 * them; reading maps them to the step that now does the same thing.
 */
export const legacyFixSteps: Readonly<Record<string, FixStep>> = { "account-types": "register-app", "redirect-uri": "register-app" };

export const fixStepSchema = z.preprocess(
  (value) => (typeof value === "string" && Object.hasOwn(legacyFixSteps, value) ? legacyFixSteps[value] : value),
  z.enum(fixStepIds),
);

/**
 * Who can act on a failure: the least-privileged Entra role for the fix (see `lib/checks/fix-roles.ts`).
 * `us` means a Calsync bug or a Microsoft outage: nobody in the tenant can fix it. `global-admin` is
 * kept for reports stored before the roles were told apart, and for fixes only a tenant-wide admin makes.
 */
export const whoCanFixSchema = z.enum(["app-admin", "consent-admin", "delegated-consent-admin", "exchange-admin", "global-admin", "user", "us"]);
export type WhoCanFix = z.infer<typeof whoCanFixSchema>;

export const fixSchema = z.object({ step: fixStepSchema, text: z.string() });
export type Fix = z.infer<typeof fixSchema>;

export const checkSchema = z.object({
  id: checkIdSchema,
  status: checkStatusSchema,
  title: z.string(),
  detail: z.string(),
  /** Microsoft's code (`AADSTS7000215`, `ErrorAccessDenied`) or ours (`timeout`, `network`, `tls`, ...). */
  code: z.string().optional(),
  /** Who can fix a failure or warning; absent on pass/skip. */
  who: whoCanFixSchema.optional(),
  fix: fixSchema.optional(),
  /** Link to Microsoft's error lookup page for an AADSTS code. */
  helpUrl: z.string().optional(),
  durationMs: z.number().nonnegative(),
  /** Microsoft's correlation/request id and timestamp: helpdesk quotes them to Microsoft support. */
  correlationId: z.string().optional(),
  timestamp: z.string().optional(),
});
export type Check = z.infer<typeof checkSchema>;

export const checkReportSchema = z.object({
  /** True when no check failed (warnings allowed). */
  ok: z.boolean(),
  /** True when the caller cancelled; unfinished checks are then `skip`. */
  cancelled: z.boolean(),
  /** The tenant GUID once resolved; otherwise the tenant as typed (cleaned). */
  tenantId: z.string(),
  cloud: cloudIdSchema,
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  checks: z.array(checkSchema),
});
export type CheckReport = z.infer<typeof checkReportSchema>;

export const mailboxScopeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }),
  z.object({ kind: z.literal("list"), mailboxes: z.array(z.string()) }),
]);
export type MailboxScope = z.infer<typeof mailboxScopeSchema>;

/**
 * How the app's reach to mailboxes is limited: not at all (tenant-wide Entra consent), by a legacy
 * Exchange application access policy (restricts the Entra grant), or by Exchange RBAC for
 * Applications (grants access itself, so the tenant-wide Entra grant must be absent).
 */
export const scopeModeIds = ["all", "access-policy", "rbac"] as const;
export const scopeModeSchema = z.enum(scopeModeIds);
export type ScopeMode = z.infer<typeof scopeModeSchema>;

/**
 * Raw input as typed or pasted. Deliberately loose (plain strings): the `format` check is what
 * explains bad values, field by field, instead of a generic schema error.
 */
export const checkInputSchema = z.object({
  cloud: cloudIdSchema,
  tenant: z.string(),
  clientId: z.string(),
  clientSecret: z.string(),
  /**
   * A certificate credential, used instead of the secret. Filled in on the server from a sealed key,
   * never typed into a form, so the format check does not look at it.
   */
  certificate: z.object({ privateKeyPem: z.string(), certificatePem: z.string(), thumbprintSha256: z.string() }).optional(),
  mailboxScope: mailboxScopeSchema,
  testMailbox: z.string().optional(),
  outOfScopeMailbox: z.string().optional(),
  writeTest: z.boolean().optional(),
  /** Absent means `all`. */
  scopeMode: scopeModeSchema.optional(),
  /** When the mailbox scope last changed (ISO): within Exchange's 2-hour window a failing probe is "propagating". */
  scopeChangedAt: z.string().optional(),
  /** When admin consent was last given through the console (ISO): a denial soon after may be propagation. */
  consentGrantedAt: z.string().optional(),
});
export type CheckInput = z.infer<typeof checkInputSchema>;
