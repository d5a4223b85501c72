import { z } from "zod";
import { scopeModeSchema, type ScopeMode } from "@/lib/checks/schema";
import { graphPermissions, type GraphPermission } from "@/lib/entra/permissions";

/**
 * The scope mode as the forms offer it (the wizard's mailbox-scope step and the connection's
 * settings) and the admin's "I changed the scope at …". Pure: the forms render it, the actions parse it.
 */

export const scopeModeOptions: ReadonlyArray<{ value: ScopeMode; label: string; description: string }> = [
  { value: "all", label: "All mailboxes", description: "The tenant-wide Calendars.ReadWrite grant in Entra reaches every mailbox." },
  {
    value: "rbac",
    label: "Scoped by Exchange RBAC for Applications",
    description: "An Exchange role assignment grants only the scoped mailboxes; the tenant-wide grant must be removed.",
  },
  {
    value: "access-policy",
    label: "Scoped by an application access policy (legacy)",
    description: "The tenant-wide grant stays and a policy restricts it; Microsoft no longer recommends new ones.",
  },
];

export const scopeModeLabels: Readonly<Record<ScopeMode, string>> = Object.fromEntries(scopeModeOptions.map((option) => [option.value, option.label])) as Record<ScopeMode, string>;

export const scopeChangeOptions = [
  { value: "none", label: "The scope has not changed" },
  { value: "now", label: "I changed the scope just now" },
  { value: "at", label: "I changed the scope at the time below (UTC)" },
] as const;

export const scopeFormSchema = z.object({
  scopeMode: scopeModeSchema.optional(),
  scopeChange: z.enum(["none", "now", "at"]).optional(),
  /** `YYYY-MM-DDTHH:MM` as a datetime-local field sends it, read as UTC. */
  scopeChangedAt: z.string().trim().max(40).optional(),
});
export type ScopeForm = z.infer<typeof scopeFormSchema>;

const MAX_PAST_MS = 30 * 24 * 60 * 60_000;

/**
 * The application permissions the wizard asks to add and consent to. Under RBAC for Applications the
 * Exchange role assignment grants calendar access, and a tenant-wide Calendars.ReadWrite would undo
 * the scope (the union trap), so it is left out.
 */
export function consentPermissions(mode: ScopeMode): GraphPermission[] {
  return mode === "rbac" ? [graphPermissions.userReadAllApp] : [graphPermissions.calendarsReadWriteApp, graphPermissions.userReadAllApp];
}

/**
 * When the admin says the scope changed: now, a given UTC minute, or not at all (undefined). A field
 * error (keyed by form field) when the time is unreadable, in the future or implausibly old.
 */
export function scopeChangedAtOfForm(form: ScopeForm, now: Date): { at?: Date; error?: Record<string, string> } {
  if (form.scopeChange === "now") return { at: now };
  if (form.scopeChange !== "at") return {};
  const raw = form.scopeChangedAt ?? "";
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})$/.exec(raw);
  const at = match ? new Date(`${match[1]}T${match[2]}:00Z`) : undefined;
  if (!at || Number.isNaN(at.getTime())) return { error: { scopeChangedAt: "Enter when you changed the scope, in UTC, for example 2026-12-02 14:05" } };
  if (at.getTime() > now.getTime() + 60_000) return { error: { scopeChangedAt: "That time is in the future; enter when you changed the scope (UTC)" } };
  if (now.getTime() - at.getTime() > MAX_PAST_MS) return { error: { scopeChangedAt: "That is more than 30 days ago; a change that old has reached Exchange long since" } };
  return { at };
}

/** The scope changed when its mode did, or when the admin says so; otherwise the previous time stays. */
export function nextScopeChangedAt(options: { previousMode: ScopeMode; mode: ScopeMode; previous: Date | null; stated?: Date | undefined; now: Date }): Date | null {
  if (options.stated) return options.stated;
  if (options.previousMode !== options.mode) return options.now;
  return options.previous;
}
