// The scope assistant's fixed texts, apart from the script generator so the browser panel that shows
// them does not ship the generator, its schemas and zod.

/** How long Microsoft says a role assignment or scope change can take to reach every Exchange server. */
export const SCOPE_PROPAGATION_NOTE = "Exchange applies scope changes within 2 hours: until then the checks may still see the old access.";

export const UNION_TRAP_WARNING =
  "RBAC for Applications adds to the app's Microsoft Entra permissions instead of narrowing them. While the app still holds the tenant-wide Calendars.ReadWrite application permission in Entra, it reaches every mailbox and the scope does nothing, so the script removes that grant.";

export const LEGACY_POLICY_NOTE =
  "Microsoft no longer recommends new application access policies: RBAC for Applications replaces them. Convert an existing policy instead of adding one.";

/** What the admin says they ran, on the assistant's "record the scope change" form. */
export const scopeChangeKinds = ["script", "conversion", "union-trap"] as const;
export type ScopeChangeKind = (typeof scopeChangeKinds)[number];

export const scopeChangeOptions: ReadonlyArray<{ value: ScopeChangeKind; label: string }> = [
  { value: "script", label: "I ran the whole script" },
  { value: "conversion", label: "I ran its conversion of the application access policy" },
  { value: "union-trap", label: "I removed the tenant-wide Calendars.ReadWrite grant (the union trap step)" },
];
