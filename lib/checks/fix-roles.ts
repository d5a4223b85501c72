import type { FixStep, WhoCanFix } from "@/lib/checks/schema";

/**
 * Who must fix what: the least-privileged Microsoft Entra role for each fix, in ONE table. The
 * wizard, the status board, the helpdesk message and the member's message all read it, so a fix
 * names the same role wherever it appears. Pure, because the browser renders checks too.
 */

type RoleText = {
  /** In a sentence: "Who must fix it: …". */
  long: string;
  /** In a table cell ("Next step" on the status board). */
  short: string;
};

export const whoCanFixRoles: Readonly<Record<WhoCanFix, RoleText>> = {
  // Creating a secret and editing the app's permission list are changes to the app object itself.
  "app-admin": {
    long: "the app's owner, or an Application Administrator or Cloud Application Administrator",
    short: "App owner or Application Administrator",
  },
  // Only these two roles may consent to Microsoft Graph application permissions (app roles).
  "consent-admin": { long: "a Privileged Role Administrator or Global Administrator", short: "Privileged Role Administrator" },
  // Delegated permissions, even Microsoft Graph's, can be consented by the application admin roles.
  "delegated-consent-admin": {
    long: "a Cloud Application Administrator, Application Administrator or Global Administrator",
    short: "Cloud Application Administrator",
  },
  "exchange-admin": { long: "an Exchange Administrator", short: "Exchange Administrator" },
  "global-admin": { long: "a Global Administrator", short: "Global Administrator" },
  user: { long: "the person setting this up", short: "Whoever set it up" },
  us: { long: "nobody in your organisation (a Microsoft outage or a Calsync problem)", short: "Nobody (outage): wait and re-check" },
};

/** The role each kind of admin fix needs; steps absent here keep the catalog entry's own answer. */
export const fixStepRoles: Readonly<Partial<Record<FixStep, WhoCanFix>>> = {
  "client-secret": "app-admin",
  "api-permissions": "app-admin",
  "admin-consent": "consent-admin",
  "mailbox-scope": "exchange-admin",
};

/**
 * The role for a fix. What the person setting up can do themselves (a typo, a test mailbox) and what
 * nobody can do stay as they are; an admin fix takes the role of its step.
 */
export function whoCanFix(who: WhoCanFix, fixStep: FixStep | undefined): WhoCanFix {
  if (who === "user" || who === "us" || !fixStep) return who;
  return fixStepRoles[fixStep] ?? who;
}

export function whoLabel(who: WhoCanFix): string {
  return whoCanFixRoles[who].long;
}

export function whoShortLabel(who: WhoCanFix): string {
  return whoCanFixRoles[who].short;
}

/** The role for a stored check, so reports saved before the roles were told apart read the same as new ones. */
export function checkWho(check: { who?: WhoCanFix; fix?: { step: FixStep } }): WhoCanFix | undefined {
  return check.who ? whoCanFix(check.who, check.fix?.step) : undefined;
}
