import type { ExchangeScoping, ScenarioApp, ScenarioUser } from "./scenario";

/**
 * Exchange Online's per-mailbox decision for app-only calendar access: the Entra grant (the token's
 * `roles`) as restricted by application access policies, united with RBAC for Applications role
 * assignments. Sources are cited on the schema (scenario.ts, `exchangeScopingSchema`).
 */

export type MailboxDecision = { allowed: true } | { allowed: false; reason: "no-grant" | "access-policy" };

const READ_ROLES = ["Application Calendars.Read", "Application Calendars.ReadWrite"];
const WRITE_ROLES = ["Application Calendars.ReadWrite"];

function matches(user: ScenarioUser, entries: readonly string[]): boolean {
  const ids = [user.id, user.upn.toLowerCase(), user.mail?.toLowerCase()].filter((value): value is string => typeof value === "string");
  return entries.some((entry) => ids.includes(entry.toLowerCase()));
}

function policiesAllow(scoping: ExchangeScoping | undefined, user: ScenarioUser): boolean {
  // Every policy that names the app must let the mailbox through.
  return (scoping?.accessPolicies ?? []).every((policy) => (policy.accessRight === "RestrictAccess" ? matches(user, policy.mailboxes) : !matches(user, policy.mailboxes)));
}

function rbacAllows(scoping: ExchangeScoping | undefined, user: ScenarioUser, write: boolean): boolean {
  const roles = write ? WRITE_ROLES : READ_ROLES;
  return (scoping?.rbacAssignments ?? []).some((assignment) => roles.includes(assignment.role) && matches(user, assignment.mailboxes));
}

/**
 * Applies a pending scoping change when it is due: by the clock, or once its remaining requests are
 * used up (each call is one mailbox request by the app).
 */
export function settlePendingScoping(app: ScenarioApp, now: Date): void {
  const pending = app.pendingExchangeScoping;
  if (!pending) return;
  const byClock = pending.effectiveAt !== undefined && new Date(pending.effectiveAt).getTime() <= now.getTime();
  const byRequests = pending.afterRequests !== undefined && pending.afterRequests <= 0;
  const immediate = pending.effectiveAt === undefined && pending.afterRequests === undefined;
  if (byClock || byRequests || immediate) {
    app.exchangeScoping = pending.scoping;
    delete app.pendingExchangeScoping;
    return;
  }
  if (pending.afterRequests !== undefined) pending.afterRequests -= 1;
}

/** Whether the app may reach this mailbox, given what its token grants tenant-wide. */
export function decideMailboxAccess(app: ScenarioApp | undefined, user: ScenarioUser, entraGranted: boolean, write: boolean): MailboxDecision {
  const scoping = app?.exchangeScoping;
  if (rbacAllows(scoping, user, write)) return { allowed: true };
  if (!entraGranted || scoping?.entraGrantSeen === false) return { allowed: false, reason: "no-grant" };
  return policiesAllow(scoping, user) ? { allowed: true } : { allowed: false, reason: "access-policy" };
}
