import { z } from "zod";
import { expiryDateField } from "@/lib/delegated/delegated-app-schema";
import { cloudIdSchema } from "@/lib/entra/clouds";

/** The operator's form for the setup app. Pure: the settings page and its action share it. */

export const setupAppAudiences = ["organization", "organizations"] as const;
export type SetupAppAudience = (typeof setupAppAudiences)[number];

export const setupAppAudienceLabels: Record<SetupAppAudience, { label: string; registration: string }> = {
  organization: {
    label: "Administrators of the app's own tenant",
    registration: "Accounts in this organizational directory only (single tenant)",
  },
  organizations: {
    label: "Administrators of any tenant (organizations)",
    registration: "Accounts in any organizational directory (multitenant)",
  },
};

export const setupAppFormSchema = z
  .object({
    cloud: cloudIdSchema,
    clientId: z.string().trim().max(300),
    homeTenant: z.string().trim().max(300),
    audience: z.enum(setupAppAudiences, { message: "Choose whose administrators sign in" }),
    credentialKind: z.enum(["secret", "certificate"], { message: "Choose a client secret or a certificate" }),
    clientSecret: z.string().max(1000).optional().transform((value) => value?.trim() || undefined),
    secretExpiresAt: expiryDateField.optional(),
    // Named "key" so that a rejected form never echoes the private key back (lib/action-state.ts).
    certificateKeyPem: z.string().max(20_000).optional().transform((value) => value?.trim() || undefined),
    expectedVersion: z.coerce.number().int().nonnegative(),
  })
  .transform(({ certificateKeyPem, ...rest }) => ({ ...rest, certificatePem: certificateKeyPem }));
export type SetupAppForm = z.output<typeof setupAppFormSchema>;
