import { z } from "zod";
import { groupListSchema } from "@/lib/auth/oidc/role-mapping";
import { delegatedAppFields, renameCertificateField } from "@/lib/delegated/delegated-app-schema";

/** The administrator's form for console sign-in with Microsoft. Pure: the page and the action share it. */

const checkbox = z
  .union([z.literal("on"), z.literal("true"), z.literal("")])
  .optional()
  .transform((value) => value === "on" || value === "true");

const tenantPattern = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+)$/;
const MULTI_TENANT = new Set(["common", "organizations", "consumers"]);

export const MAX_TRUSTED_TENANTS = 10;

const tenantListSchema = z
  .string()
  .max(3000)
  .transform((value) => [...new Set(value.split(/[\s,;]+/).map((entry) => entry.trim().toLowerCase()).filter(Boolean))])
  .refine((entries) => entries.length <= MAX_TRUSTED_TENANTS, { message: `Trust at most ${MAX_TRUSTED_TENANTS} tenants` })
  .refine((entries) => !entries.some((entry) => MULTI_TENANT.has(entry)), {
    message: "Name each tenant; common, organizations and consumers would trust every organisation",
  })
  .refine((entries) => entries.every((entry) => tenantPattern.test(entry)), { message: "Enter tenant IDs (GUIDs) or domains such as contoso.com, one per line" });

export const trustedTenantsSchema = tenantListSchema.refine((entries) => entries.length > 0, { message: "Enter the tenant staff sign in from (its ID or a verified domain)" });

/** `mailbox`: staff sign in through the mailbox sign-in app; `separate`: through an app registration of its own. */
export const consoleSignInAppKinds = ["mailbox", "separate"] as const;
export type ConsoleSignInAppKind = (typeof consoleSignInAppKinds)[number];

/** The separate app's fields, as the mailbox sign-in app's form has them; read only when that app is chosen. */
const separateAppFields = delegatedAppFields.pick({ cloud: true, clientId: true, homeTenant: true, credentialKind: true, clientSecret: true, secretExpiresAt: true, certificateKeyPem: true }).partial();

export const consoleSignInFormSchema = z
  .object({
  appKind: z.enum(consoleSignInAppKinds, { message: "Choose the app staff sign in through" }).optional().transform((value) => value ?? "mailbox"),
  ...separateAppFields.shape,
  tenants: trustedTenantsSchema,
  adminGroups: groupListSchema,
  helpdeskGroups: groupListSchema,
  memberGroups: groupListSchema,
  allowMembers: checkbox,
  microsoftOnly: checkbox,
  /** Empty: members connect only after an invitation or with a console account. */
  memberTenants: tenantListSchema.optional().transform((value) => value ?? []),
  expectedVersion: z.coerce.number().int().nonnegative(),
  })
  .transform(renameCertificateField);
export type ConsoleSignInInput = z.output<typeof consoleSignInFormSchema>;
