import { z } from "zod";
import { scopeModeSchema } from "@/lib/checks/schema";
import { cloudIdSchema } from "@/lib/entra/clouds";

/**
 * What the wizard remembers between steps (never the secret: that is sealed in its own column).
 * Pure schema, shared by the step forms, the actions and the draft store.
 */
export const draftFieldsSchema = z.object({
  name: z.string().max(120).optional(),
  tenant: z.string().max(255).optional(),
  clientId: z.string().max(255).optional(),
  /** The app's Object ID (not its client ID): certificate renewal addresses the application by it. */
  applicationObjectId: z.string().max(255).optional(),
  /** The portal's "Certificate ID" of an uploaded certificate: renewal removes the old one by it. */
  certificateKeyId: z.string().max(255).optional(),
  secretExpiresAt: z.string().max(10).optional(),
  accountType: z.string().max(60).optional(),
  mailboxScopeKind: z.enum(["all", "list"]).optional(),
  mailboxes: z.array(z.string().max(320)).max(500).optional(),
  testMailbox: z.string().max(320).optional(),
  outOfScopeMailbox: z.string().max(320).optional(),
  writeTest: z.boolean().optional(),
  scopeMode: scopeModeSchema.optional(),
  /** ISO; when the admin said the scope changed (or the mode was changed here). */
  scopeChangedAt: z.string().max(40).optional(),
});
export type DraftFields = z.infer<typeof draftFieldsSchema>;

export const wizardPathSchema = z.enum(["organization", "script", "mailbox"], { message: "Choose how to connect" });

export const startWizardSchema = z.object({
  cloud: cloudIdSchema,
  path: wizardPathSchema,
});

/** Mailbox lists are typed one per line or separated by commas or semicolons. */
export function splitMailboxList(value: string): string[] {
  return value
    .split(/[\s,;]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
}

/** An ISO date (YYYY-MM-DD) that is a real calendar day. */
export const isoDateSchema = z.iso.date({ message: "Enter the date as shown in the portal, for example 2027-05-31" });

export function isPastDate(isoDate: string, now = new Date()): boolean {
  return new Date(`${isoDate}T23:59:59Z`).getTime() < now.getTime();
}
