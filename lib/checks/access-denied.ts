import type { Fix, ScopeMode, WhoCanFix } from "@/lib/checks/schema";

/**
 * Why Exchange said ErrorAccessDenied. Graph sends the same code (and, for most causes, the same
 * "Access is denied. Check credentials and try again.") whatever went wrong, so the cause is read
 * from what the token carries, the connection's scope mode and the one message that differs
 * ("Access to OData is disabled", only an application access policy sends it). Pure: the wizard,
 * the scheduled checks and the tests share it.
 *
 * The rules (issue 15 §1):
 * - all mailboxes / access policy: the token must carry Calendars.ReadWrite. Without it the
 *   permission or its consent is missing. With it, RBAC scopes cannot be the cause (they only add),
 *   so it is an access policy ("OData" body) or, with the plain body, an access policy or a grant
 *   that has not reached Exchange yet. Nobody is sent to add a permission the token already has.
 * - RBAC for Applications: the tenant-wide grant must be absent (it would make the scope do
 *   nothing: the union trap); a token without it is expected and the paired probes decide.
 */

export const CALENDARS_READ_WRITE = "Calendars.ReadWrite";
/** Microsoft: changes to RBAC for Applications and application access policies can take up to 2 hours. */
export const SCOPE_PROPAGATION_MS = 2 * 60 * 60_000;
/** When a propagating scope is checked again, counted from the change. */
export const SCOPE_RECHECK_OFFSETS_MS: readonly number[] = [30 * 60_000, 60 * 60_000, SCOPE_PROPAGATION_MS];

export type TokenGrant = {
  /** App-only tokens carry application permissions in `roles`, delegated ones scopes in `scp`. */
  kind: "app" | "delegated";
  permissions: readonly string[];
};

export type Diagnosis = { code: string; title: string; explanation: string; who: WhoCanFix; fix?: Fix };

/**
 * Diagnoses whose cause is how the app is limited in Exchange: their fix starts at the connection's
 * scope mode, since a wrong mode makes every other reading of the refusal wrong too.
 */
export const scopeCauseCodes: readonly string[] = [
  "access-policy-excludes-mailbox",
  "access-denied-policy-or-propagation",
  "rbac-scope-excludes-mailbox",
  "mailbox-not-restricted",
  "scope-propagating",
];

const ODATA_DISABLED = "access to odata is disabled";

export function grantOfClaims(claims: { roles?: string[] | undefined; scp?: string | undefined }): TokenGrant {
  if (typeof claims.scp === "string") return { kind: "delegated", permissions: claims.scp.split(" ").filter(Boolean) };
  return { kind: "app", permissions: claims.roles ?? [] };
}

export function carriesCalendarsReadWrite(grant: TokenGrant): boolean {
  return grant.permissions.includes(CALENDARS_READ_WRITE);
}

export function isOdataDisabled(message: string | undefined): boolean {
  return (message ?? "").toLowerCase().includes(ODATA_DISABLED);
}

function claimName(grant: TokenGrant): string {
  return grant.kind === "app" ? "the app-only token's roles" : "the delegated token's scopes (scp)";
}

function permissionKind(grant: TokenGrant): string {
  return grant.kind === "app" ? "application" : "delegated";
}

export function withinPropagationWindow(changedAt: Date | undefined, now: Date): boolean {
  if (!changedAt) return false;
  const age = now.getTime() - changedAt.getTime();
  return age >= 0 && age < SCOPE_PROPAGATION_MS;
}

/** `2026-12-02 14:05 UTC`: the server cannot know the reader's zone, and UTC is unambiguous in a ticket. */
export function utcMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** The union trap: the tenant-wide grant is still on an app meant to be scoped by RBAC for Applications. */
export function unionTrap(grant: TokenGrant): Diagnosis {
  return {
    code: "scope-union-trap",
    title: "Tenant-wide grant makes the RBAC scope do nothing",
    explanation:
      `${claimName(grant)[0]!.toUpperCase()}${claimName(grant).slice(1)} include ${CALENDARS_READ_WRITE}, granted tenant-wide in Entra. ` +
      "Exchange RBAC for Applications adds access on top of Entra grants instead of narrowing them, so while this grant stays the app reaches every mailbox and the management scope has no effect.",
    who: "consent-admin",
    fix: {
      step: "admin-consent",
      text: `A Privileged Role Administrator removes the ${CALENDARS_READ_WRITE} ${permissionKind(grant)} permission from the app and revokes its admin consent (Enterprise applications → the app → Permissions); the RBAC role assignment alone then grants access to the scoped mailboxes.`,
    },
  };
}

function missingPermission(grant: TokenGrant): Diagnosis {
  const app = grant.kind === "app";
  return {
    code: "calendars-permission-missing",
    title: `${CALENDARS_READ_WRITE} is not in the token`,
    explanation:
      `${claimName(grant)[0]!.toUpperCase()}${claimName(grant).slice(1)} lack ${CALENDARS_READ_WRITE}, so Exchange refuses every mailbox: ` +
      `the ${permissionKind(grant)} permission is missing from the app, or nobody consented to it.`,
    who: app ? "app-admin" : "delegated-consent-admin",
    fix: {
      step: "api-permissions",
      text: app
        ? `Add ${CALENDARS_READ_WRITE} (Application) on the app's API permissions page, then grant admin consent on the consent step.`
        : `Add ${CALENDARS_READ_WRITE} (Delegated) on the app's API permissions page, then consent to it (the member signs in again, or an admin grants consent).`,
    },
  };
}

function accessPolicyExcludes(mode: ScopeMode, grant: TokenGrant): Diagnosis {
  const note =
    mode === "all"
      ? ' This connection is set to "All mailboxes"; if the app is meant to reach only some mailboxes, set its scope mode to the application access policy.'
      : mode === "rbac"
        ? " This connection is scoped by RBAC for Applications, but a legacy application access policy still restricts the app; Microsoft no longer recommends those policies."
        : "";
  const has = carriesCalendarsReadWrite(grant);
  return {
    code: "access-policy-excludes-mailbox",
    title: "Mailbox excluded by an Exchange application access policy",
    explanation:
      `${has ? `The token carries ${CALENDARS_READ_WRITE}, so the permission is not the problem. ` : ""}` +
      `Exchange answered "Access to OData is disabled": an application access policy restricts this app, and this mailbox is outside it.${note}`,
    who: "exchange-admin",
    fix: {
      step: "mailbox-scope",
      text:
        mode === "rbac"
          ? "An Exchange Administrator removes the app's application access policy (Remove-ApplicationAccessPolicy) once the RBAC for Applications assignment covers the mailboxes."
          : "An Exchange Administrator adds the mailbox to the mail-enabled security group of the app's access policy (Test-ApplicationAccessPolicy shows the result), or removes the policy if the app should reach every mailbox.",
    },
  };
}

function policyOrPropagation(grant: TokenGrant, consentGrantedAt: Date | undefined, now: Date): Diagnosis {
  let consent = "";
  let wait = "";
  if (consentGrantedAt && withinPropagationWindow(consentGrantedAt, now)) {
    const retry = utcMinute(new Date(consentGrantedAt.getTime() + SCOPE_PROPAGATION_MS));
    consent = ` Admin consent was given through Calsync at ${utcMinute(consentGrantedAt)}, less than 2 hours ago, so the grant may not have reached Exchange yet: try again after ${retry}.`;
    wait = `Wait until ${retry} and validate again. If it still fails, `;
  } else if (consentGrantedAt) {
    consent = ` Admin consent was given through Calsync at ${utcMinute(consentGrantedAt)}, more than 2 hours ago, so an application access policy is the likely cause.`;
  }
  return {
    code: "access-denied-policy-or-propagation",
    title: "Mailbox refused although the permission is granted",
    explanation:
      `The token carries ${CALENDARS_READ_WRITE} (${claimName(grant)}), and RBAC for Applications scopes only add to that grant, so neither is the cause. ` +
      `Either an application access policy excludes this mailbox, or the grant has not reached Exchange yet (Exchange can take up to 2 hours).${consent}`,
    who: "exchange-admin",
    fix: {
      step: "mailbox-scope",
      text: `${wait ? wait : ""}${wait ? "an" : "An"} Exchange Administrator checks the app's application access policies (Get-ApplicationAccessPolicy, Test-ApplicationAccessPolicy) for this mailbox.`,
    },
  };
}

function rbacScopeExcludes(): Diagnosis {
  return {
    code: "rbac-scope-excludes-mailbox",
    title: "RBAC for Applications does not reach this mailbox",
    explanation:
      "This connection gets its access from an Exchange RBAC for Applications role assignment, and Exchange refused this mailbox: the assignment is missing, its management scope does not include the mailbox, or a recent change has not reached Exchange yet (up to 2 hours).",
    who: "exchange-admin",
    fix: {
      step: "mailbox-scope",
      text: 'An Exchange Administrator runs Test-ServicePrincipalAuthorization for this mailbox and adds it to the scope (its group or administrative unit), or assigns "Application Calendars.ReadWrite" to the app.',
    },
  };
}

export type AccessDeniedInput = {
  mode: ScopeMode;
  grant: TokenGrant;
  /** Microsoft's error message, which tells an access policy apart. */
  message?: string | undefined;
  consentGrantedAt?: Date | undefined;
  now: Date;
};

/** The cause of an ErrorAccessDenied on a mailbox that the connection should reach. */
export function diagnoseAccessDenied(input: AccessDeniedInput): Diagnosis {
  const { mode, grant } = input;
  const has = carriesCalendarsReadWrite(grant);
  if (isOdataDisabled(input.message)) {
    if (mode !== "rbac" && !has) return missingPermission(grant);
    return accessPolicyExcludes(mode, grant);
  }
  if (mode === "rbac") {
    // With the tenant-wide grant, RBAC cannot be what refuses; the trap itself is the finding.
    if (has) return policyOrPropagation(grant, input.consentGrantedAt, input.now);
    return rbacScopeExcludes();
  }
  if (!has) return missingPermission(grant);
  return policyOrPropagation(grant, input.consentGrantedAt, input.now);
}

/** The cause of a mailbox that should be out of scope answering: the scope is not narrowing. */
export function diagnoseOutOfScopeReadable(mode: ScopeMode, grant: TokenGrant): Diagnosis {
  if (mode === "rbac" && carriesCalendarsReadWrite(grant)) return unionTrap(grant);
  if (mode === "rbac") {
    return {
      code: "rbac-scope-too-wide",
      title: "The RBAC scope includes this mailbox",
      explanation: "The token carries no tenant-wide calendar permission, so the app's RBAC for Applications role assignment is what reached this mailbox: its management scope includes it.",
      who: "exchange-admin",
      fix: { step: "mailbox-scope", text: "An Exchange Administrator narrows the management scope (its recipient filter, group or administrative unit) so this mailbox falls outside it." },
    };
  }
  return {
    code: "mailbox-not-restricted",
    title: "Mailbox scoping is not effective",
    explanation:
      mode === "access-policy"
        ? "The app read a mailbox that should be out of scope: no application access policy restricts it, or the policy's group includes this mailbox."
        : "The app read a mailbox that should be out of scope: with tenant-wide Calendars.ReadWrite consent the app reaches every mailbox.",
    who: "exchange-admin",
    fix: {
      step: "mailbox-scope",
      text:
        mode === "access-policy"
          ? "An Exchange Administrator restricts the app with an access policy whose group leaves this mailbox out (Test-ApplicationAccessPolicy shows the result), or moves the app to RBAC for Applications."
          : "Choose a scope mode on the mailbox-scope step, and have an Exchange Administrator scope the app there.",
    },
  };
}

/** What the permissions check says about Calendars.ReadWrite in this mode; null when all is as it should be. */
export function calendarsGrantProblem(mode: ScopeMode, grant: TokenGrant): Diagnosis | null {
  const has = carriesCalendarsReadWrite(grant);
  if (mode === "rbac") return has ? unionTrap(grant) : null;
  return has ? null : missingPermission(grant);
}

/** The dates at which a propagating scope is checked again (only those still ahead). */
export function scopeRecheckTimes(changedAt: Date, now: Date): Date[] {
  return SCOPE_RECHECK_OFFSETS_MS.map((offset) => new Date(changedAt.getTime() + offset)).filter((at) => at > now);
}

export const PROPAGATING_TITLE = "Propagating: Exchange applies scope changes within 2 hours";

/** A failing probe inside the window: not a failure yet, with when it is looked at again. */
export function propagating(diagnosis: Diagnosis, changedAt: Date, now: Date): Diagnosis {
  const rechecks = scopeRecheckTimes(changedAt, now).map(utcMinute);
  const until = utcMinute(new Date(changedAt.getTime() + SCOPE_PROPAGATION_MS));
  return {
    ...diagnosis,
    code: "scope-propagating",
    title: PROPAGATING_TITLE,
    explanation:
      `The mailbox scope changed at ${utcMinute(changedAt)}, and Exchange can take up to 2 hours to apply it. ` +
      `${rechecks.length ? `Calsync checks again at ${rechecks.join(", ")}. ` : ""}If it still fails after ${until}, it is a real failure: ${diagnosis.explanation}`,
  };
}

type RecheckInput = { checks: readonly { code?: string | undefined }[]; scopeChangedAt: Date | null | undefined; now: Date };

/** The next of the +30 min, +1 h and +2 h re-checks when a probe is propagating. */
export function propagationRecheck(options: RecheckInput): Date | undefined {
  if (!options.scopeChangedAt || !options.checks.some((check) => check.code === "scope-propagating")) return undefined;
  return scopeRecheckTimes(options.scopeChangedAt, options.now)[0];
}

/** When a connection is checked next: its regular time, or a propagating scope's re-check when sooner. */
export function nextCheckTime(options: RecheckInput & { regular: Date }): Date {
  const recheck = propagationRecheck(options);
  return recheck && recheck < options.regular ? recheck : options.regular;
}
