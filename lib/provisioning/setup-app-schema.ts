import { z } from "zod";
import { delegatedAppFields, renameCertificateField } from "@/lib/delegated/delegated-app-schema";

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

/** The mailbox sign-in app's fields, but whose administrators sign in, and no certificate renewal ids. */
export const setupAppFormSchema = delegatedAppFields
  .omit({ audience: true, applicationObjectId: true, certificateKeyId: true })
  .extend({ audience: z.enum(setupAppAudiences, { message: "Choose whose administrators sign in" }) })
  .transform(renameCertificateField);
export type SetupAppForm = z.output<typeof setupAppFormSchema>;
