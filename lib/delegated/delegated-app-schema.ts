import { z } from "zod";
import { cloudIdSchema } from "@/lib/entra/clouds";

/** The operator's form for the mailbox sign-in app. Pure: the settings page renders these labels. */

export const delegatedAudiences = ["organization", "organizations", "organizations-and-personal"] as const;
export type DelegatedAudience = (typeof delegatedAudiences)[number];

export const delegatedAudienceLabels: Record<DelegatedAudience, { label: string; registration: string }> = {
  organization: {
    label: "Only accounts in the app's own organisation",
    registration: "Accounts in this organizational directory only (single tenant)",
  },
  organizations: {
    label: "Work accounts from any organisation",
    registration: "Accounts in any organizational directory (multitenant)",
  },
  "organizations-and-personal": {
    label: "Work accounts and personal Microsoft accounts",
    registration: "Accounts in any organizational directory and personal Microsoft accounts",
  },
};

/** An optional expiry date as the portal's Expires column shows it. */
export const expiryDateField = z.union([z.literal("").transform(() => undefined), z.iso.date({ message: "Use the date shown in the Expires column (YYYY-MM-DD)" }).transform((value) => new Date(`${value}T00:00:00Z`))]);

/** The app registration's fields, for every form that names an app the console signs in through. */
export const delegatedAppFields = z.object({
  cloud: cloudIdSchema,
  clientId: z.string().trim().max(300),
  homeTenant: z.string().trim().max(300),
  audience: z.enum(delegatedAudiences, { message: "Choose who may sign in" }),
  credentialKind: z.enum(["secret", "certificate"], { message: "Choose a client secret or a certificate" }),
  clientSecret: z.string().max(1000).optional().transform((value) => value?.trim() || undefined),
  secretExpiresAt: expiryDateField.optional(),
  // The field's name says "key" so that a rejected form never echoes the private key back (run-action.ts).
  certificateKeyPem: z.string().max(20_000).optional().transform((value) => value?.trim() || undefined),
  expectedVersion: z.coerce.number().int().nonnegative(),
  applicationObjectId: z.string().max(300).optional().transform((value) => value?.trim().toLowerCase() || undefined),
  certificateKeyId: z.string().max(300).optional().transform((value) => value?.trim().toLowerCase() || undefined),
});

/** The PEM field is named "…Key…" on the form so it is never echoed; code calls it what it is. */
export function renameCertificateField<T extends { certificateKeyPem?: string | undefined }>({ certificateKeyPem, ...rest }: T): Omit<T, "certificateKeyPem"> & { certificatePem: string | undefined } {
  return { ...rest, certificatePem: certificateKeyPem };
}

export const delegatedAppFormSchema = delegatedAppFields
  .extend({
    // "generated": the certificate Calsync generated on the settings page; "upload": the pasted PEM, or the stored credential.
    certificateSource: z.enum(["generated", "upload"], { message: "Choose which certificate to use" }).default("upload"),
  })
  .transform(renameCertificateField);
export type DelegatedAppForm = z.output<typeof delegatedAppFormSchema>;

/** What saving needs; the form's output fits it, and callers without a form leave the optional parts out. */
export type DelegatedAppInput = Pick<DelegatedAppForm, "cloud" | "clientId" | "homeTenant" | "audience" | "credentialKind" | "expectedVersion"> & {
  clientSecret?: string | undefined;
  secretExpiresAt?: Date | undefined;
  certificatePem?: string | undefined;
  applicationObjectId?: string | undefined;
  certificateKeyId?: string | undefined;
  certificateSource?: "generated" | "upload" | undefined;
};
