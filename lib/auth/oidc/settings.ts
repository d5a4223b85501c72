import "server-only";
import { z } from "zod";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { DEFAULT_CHECK_TIMEOUT_MS, explained, timed, type CheckContext } from "@/lib/checks/check-kit";
import type { Check } from "@/lib/checks/schema";
import type { KeyRing } from "@/lib/crypto/seal";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import {
  assertNotMailboxSignInApp,
  assertNotSetupApp,
  credentialFromForm,
  credentialSummary,
  getDelegatedApp,
  openAppRegistration,
  requireCloud,
  sealCredential,
  SETTINGS_CHANGED_MEANWHILE,
  verifyDelegatedApp,
  type DelegatedAppConfig,
} from "@/lib/delegated/delegated-app";
import { cleanDelegatedAppForm } from "@/lib/delegated/delegated-app-form";
import { sealContext } from "@/lib/crypto/seal";
import type { CloudId } from "@/lib/entra/clouds";
import type { ClientCredential } from "@/lib/entra/msal-client";
import { createRetryBudget } from "@/lib/entra/http-transport";
import { fetchTenantMetadata } from "@/lib/entra/tenant-metadata";
import { UserFacingError } from "@/lib/errors";
import type { GroupMapping } from "@/lib/auth/oidc/role-mapping";
import type { DelegatedAudience } from "@/lib/delegated/delegated-app-schema";
import type { ConsoleSignInAppKind, ConsoleSignInInput } from "@/lib/auth/oidc/settings-schema";

/**
 * Console sign-in with Microsoft: which tenants staff come from, how groups map to roles, whether
 * people without a role become members, and whether local passwords still work. It signs in through
 * the mailbox sign-in app (and then counts as verified only while that app is the one it was verified
 * with), or through an app registration of its own, whose credential is sealed here.
 */

export type TrustedTenant = { id: string; label: string };

/** The separate app as anyone may see it: never its credential, only the hint. */
export type ConsoleSignInAppView = { cloudId: CloudId; clientId: string; homeTenant: string; credentialKind: ClientCredential["kind"]; credentialHint: string };

export type ConsoleSignInSettings = {
  clientId: string;
  appKind: ConsoleSignInAppKind;
  /** Set when `appKind` is `separate`. */
  app: ConsoleSignInAppView | null;
  tenants: TrustedTenant[];
  groups: GroupMapping;
  allowMembers: boolean;
  microsoftOnly: boolean;
  memberTenants: TrustedTenant[];
  verifiedAt: Date | null;
  verification: Check[] | null;
  version: number;
  updatedAt: Date;
};

const tenantsSchema = z.array(z.object({ id: z.string(), label: z.string() }));
const idsSchema = z.array(z.string());

const settingsSelect = {
  clientId: true,
  appKind: true,
  appCloud: true,
  appHomeTenant: true,
  appCredentialKind: true,
  appCredentialHint: true,
  tenants: true,
  adminGroups: true,
  helpdeskGroups: true,
  memberGroups: true,
  allowMembers: true,
  microsoftOnly: true,
  memberTenants: true,
  verifiedAt: true,
  verification: true,
  version: true,
  updatedAt: true,
} as const;

function ids(value: unknown): string[] {
  const parsed = idsSchema.safeParse(value);
  return parsed.success ? parsed.data : [];
}

export async function getConsoleSignIn(db: DbClient): Promise<ConsoleSignInSettings | null> {
  const row = await db.consoleSignIn.findUnique({ where: { id: 1 }, select: settingsSelect });
  if (!row) return null;
  const tenants = tenantsSchema.safeParse(row.tenants);
  const memberTenants = tenantsSchema.safeParse(row.memberTenants);
  const separate = row.appKind === "separate" && row.appCloud && row.appHomeTenant && row.appCredentialKind && row.appCredentialHint;
  return {
    clientId: row.clientId,
    appKind: row.appKind === "separate" ? "separate" : "mailbox",
    app: separate
      ? {
          cloudId: row.appCloud as CloudId,
          clientId: row.clientId,
          homeTenant: row.appHomeTenant!,
          credentialKind: row.appCredentialKind === "certificate" ? "certificate" : "secret",
          credentialHint: row.appCredentialHint!,
        }
      : null,
    tenants: tenants.success ? tenants.data : [],
    groups: { admin: ids(row.adminGroups), helpdesk: ids(row.helpdeskGroups), member: ids(row.memberGroups) },
    allowMembers: row.allowMembers,
    microsoftOnly: row.microsoftOnly,
    memberTenants: memberTenants.success ? memberTenants.data : [],
    verifiedAt: row.verifiedAt,
    verification: Array.isArray(row.verification) ? (row.verification as Check[]) : null,
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

/**
 * `app` is the app staff sign in through; `mailboxApp` the mailbox sign-in app, which one-step
 * connect always uses (null when none is set up).
 */
export type ReadyConsoleSignIn = { settings: ConsoleSignInSettings; app: DelegatedAppConfig; mailboxApp: DelegatedAppConfig | null };

const appCredentialContext = () => sealContext("console_sign_ins", "app_credential_sealed", 1);

/** The separate app with its credential opened, or null when none is saved (or its cloud is not configured here). */
async function getSeparateApp(db: DbClient, ring: KeyRing): Promise<DelegatedAppConfig | null> {
  const row = await db.consoleSignIn.findUnique({
    where: { id: 1 },
    select: { appKind: true, clientId: true, appCloud: true, appHomeTenant: true, appCredentialKind: true, appCredentialSealed: true, appCredentialHint: true, appCertificatePem: true, version: true },
  });
  if (row?.appKind !== "separate" || !row.appCloud || !row.appHomeTenant || !row.appCredentialKind || !row.appCredentialSealed || !row.appCredentialHint) return null;
  // Staff sign in at their trusted tenants; the app's own audience only decides where it is verified.
  return openAppRegistration<DelegatedAudience>(
    ring,
    {
      cloud: row.appCloud,
      clientId: row.clientId,
      homeTenant: row.appHomeTenant,
      audience: "organization",
      credentialKind: row.appCredentialKind,
      credentialSealed: row.appCredentialSealed,
      credentialHint: row.appCredentialHint,
      certificatePem: row.appCertificatePem,
      version: row.version,
    },
    appCredentialContext(),
  );
}

/** Settings and app together, or null when Microsoft sign-in is off: not saved, or the mailbox sign-in app it goes through changed since. */
export async function getReadyConsoleSignIn(db: DbClient, ring: KeyRing): Promise<ReadyConsoleSignIn | null> {
  const settings = await getConsoleSignIn(db);
  if (!settings?.verifiedAt || settings.tenants.length === 0) return null;
  const mailboxApp = await getDelegatedApp(db, ring);
  if (settings.appKind === "separate") {
    const app = await getSeparateApp(db, ring);
    return app ? { settings, app, mailboxApp } : null;
  }
  if (!mailboxApp || mailboxApp.clientId !== settings.clientId) return null;
  return { settings, app: mailboxApp, mailboxApp };
}

/** Whether Microsoft sign-in is verified for the app it goes through, without opening a credential. */
export async function isMicrosoftSignInVerified(db: DbClient): Promise<boolean> {
  const [settings, app] = await Promise.all([
    db.consoleSignIn.findUnique({ where: { id: 1 }, select: { clientId: true, verifiedAt: true, appKind: true, appCredentialSealed: true } }),
    db.delegatedApp.findUnique({ where: { id: 1 }, select: { clientId: true } }),
  ]);
  if (!settings?.verifiedAt) return false;
  if (settings.appKind === "separate") return Boolean(settings.appCredentialSealed);
  return Boolean(app && app.clientId === settings.clientId);
}

/** Local passwords are refused for this account: Microsoft sign-in only is on, verified, and it is no break-glass account. */
export async function localPasswordRefused(db: DbClient, user: { breakGlass: boolean }): Promise<boolean> {
  if (user.breakGlass) return false;
  const row = await db.consoleSignIn.findUnique({ where: { id: 1 }, select: { microsoftOnly: true } });
  return Boolean(row?.microsoftOnly) && (await isMicrosoftSignInVerified(db));
}

/** One-step member connect is offered: Microsoft sign-in works, members are allowed, and some tenant may create members. */
export function offersOneStepConnect(settings: ConsoleSignInSettings | null | undefined): boolean {
  return Boolean(settings?.allowMembers && settings.memberTenants.length > 0);
}

export const MICROSOFT_ONLY_SIGN_IN = "This console accepts Sign in with Microsoft only. Use the Sign in with Microsoft button.";

export const SIGN_IN_APP_MISSING = "Set up the mailbox sign-in app first (Settings → Mailbox sign-in): console sign-in goes through the same app registration.";

async function verifyTrustedTenants(app: DelegatedAppConfig, entries: string[]): Promise<{ checks: Check[]; tenants: TrustedTenant[] }> {
  const ctx: CheckContext = { cloud: app.cloud, options: {}, retry: createRetryBudget(), secrets: [], timeoutMs: DEFAULT_CHECK_TIMEOUT_MS };
  const tenants: TrustedTenant[] = [];
  const checks = await Promise.all(
    entries.map((entry) =>
      timed(ctx, "tenant", async (policy) => {
        const metadata = await fetchTenantMetadata({ cloud: app.cloud, tenant: entry, policy });
        if (!metadata.ok) return explained(ctx, "fail", metadata.failure, `Trusted tenant "${entry}".`);
        if (!metadata.tenantId) return { status: "fail", title: "Tenant not resolved", detail: `Microsoft's metadata for "${entry}" names no tenant ID.`, code: "unexpected-response" };
        tenants.push({ id: metadata.tenantId, label: entry });
        return { status: "pass", title: "Trusted tenant found", detail: `"${entry}" is tenant ${metadata.tenantId} in ${app.cloud.label}.` };
      }),
    ),
  );
  // Promise.all kept the checks in order; the tenants follow the form's order too.
  tenants.sort((a, b) => entries.indexOf(a.label) - entries.indexOf(b.label));
  return { checks, tenants };
}

/**
 * The separate app the form names, with the mailbox sign-in app's format checks and credential rules;
 * a credential left empty keeps the stored one. Verified by the caller before anything is saved.
 */
async function separateAppFromForm(db: AppPrismaClient, ring: KeyRing, input: ConsoleSignInInput): Promise<DelegatedAppConfig> {
  if (!input.cloud || !input.credentialKind) throw new UserFacingError("Choose the separate app's cloud and credential.", { cloud: "Choose the Microsoft cloud" });
  const cloud = requireCloud(input.cloud);
  const form = cleanDelegatedAppForm({
    cloud: input.cloud,
    clientId: input.clientId ?? "",
    homeTenant: input.homeTenant ?? "",
    audience: "organization",
    credentialKind: input.credentialKind,
    clientSecret: input.clientSecret,
    secretExpiresAt: input.secretExpiresAt,
    certificatePem: input.certificatePem,
    expectedVersion: input.expectedVersion,
  });
  await assertNotMailboxSignInApp(db, form.clientId, "console sign-in");
  await assertNotSetupApp(db, form.clientId);
  const stored = await getSeparateApp(db, ring);
  const { credential } = credentialFromForm(form, stored?.credential);
  return { cloud, cloudId: input.cloud, clientId: form.clientId, homeTenant: form.homeTenant, audience: "organization", credential, version: stored?.version ?? 0 };
}

export type SaveConsoleSignInResult = { saved: boolean; checks: Check[] };

/**
 * Verifies (the app gets a token with its stored credential, each trusted tenant's metadata answers
 * and resolves to its ID), then saves. A failed verification saves nothing.
 */
export async function saveConsoleSignIn(
  db: AppPrismaClient,
  ring: KeyRing,
  input: ConsoleSignInInput,
  context: { actor: AuditActor & object; ip?: string | null },
): Promise<SaveConsoleSignInResult> {
  const current = await getConsoleSignIn(db);
  const currentVersion = current?.version ?? 0;
  if (input.expectedVersion !== currentVersion) throw new UserFacingError(SETTINGS_CHANGED_MEANWHILE);
  const mailboxApp = await getDelegatedApp(db, ring);
  const app = input.appKind === "separate" ? await separateAppFromForm(db, ring, input) : mailboxApp;
  if (!app) throw new UserFacingError(SIGN_IN_APP_MISSING);
  if (input.memberTenants.length > 0 && !mailboxApp) {
    throw new UserFacingError("One-step member connect goes through the mailbox sign-in app: set it up first (Settings → Mailbox sign-in).", {
      memberTenants: "Set up the mailbox sign-in app first, or leave this empty",
    });
  }
  if (input.microsoftOnly) {
    const breakGlass = await db.user.count({ where: { role: "admin", active: true, breakGlass: true, passwordHash: { not: null } } });
    if (breakGlass === 0) {
      throw new UserFacingError("Mark at least one local administrator as a break-glass account (on the Users page) before turning on Microsoft sign-in only.", {
        microsoftOnly: "No break-glass administrator yet: without one, nobody could sign in if Microsoft sign-in stopped working.",
      });
    }
  }
  const [appCheck, tenantCheck, memberCheck] = await Promise.all([
    verifyDelegatedApp(app),
    verifyTrustedTenants(app, input.tenants),
    verifyTrustedTenants(mailboxApp ?? app, input.memberTenants),
  ]);
  const checks = [...appCheck.checks, ...tenantCheck.checks, ...memberCheck.checks];
  if (checks.some((check) => check.status === "fail")) return { saved: false, checks };

  const sealedApp = input.appKind === "separate" ? sealCredential(ring, app.credential, appCredentialContext()) : null;
  const data = {
    clientId: app.clientId,
    appKind: input.appKind,
    // Switching back to the mailbox sign-in app keeps no copy of the other app's credential.
    appCloud: sealedApp ? app.cloudId : null,
    appHomeTenant: sealedApp ? app.homeTenant : null,
    appCredentialKind: sealedApp ? app.credential.kind : null,
    appCredentialSealed: sealedApp?.sealed ?? null,
    appCredentialHint: sealedApp?.hint ?? null,
    appCertificatePem: sealedApp && app.credential.kind === "certificate" ? app.credential.certificatePem : null,
    tenants: tenantCheck.tenants,
    adminGroups: input.adminGroups,
    helpdeskGroups: input.helpdeskGroups,
    memberGroups: input.memberGroups,
    allowMembers: input.allowMembers,
    microsoftOnly: input.microsoftOnly,
    memberTenants: memberCheck.tenants,
    verifiedAt: new Date(),
    verification: checks,
    updatedById: context.actor.id,
  };
  if (current) {
    const { count } = await db.consoleSignIn.updateMany({ where: { id: 1, version: currentVersion }, data: { ...data, version: { increment: 1 } } });
    if (count === 0) throw new UserFacingError(SETTINGS_CHANGED_MEANWHILE);
  } else {
    await db.consoleSignIn.create({ data: { id: 1, ...data }, select: { id: true } });
  }
  const groupCount = input.adminGroups.length + input.helpdeskGroups.length + input.memberGroups.length;
  await recordAudit(db, {
    actor: context.actor,
    action: "console-sign-in.save",
    target: { type: "console-sign-in", id: "1", label: app.clientId },
    summary:
      `Set Sign in with Microsoft ${sealedApp ? `through its own app ${app.clientId} (${credentialSummary(app.credential.kind, sealedApp.hint)})` : "through the mailbox sign-in app"} to trust ${tenantCheck.tenants.map((tenant) => tenant.label).join(", ")}; ${groupCount} mapped group${groupCount === 1 ? "" : "s"}; ` +
      `members ${input.allowMembers ? "allowed" : "not allowed"}; ${input.microsoftOnly ? "Microsoft sign-in only" : "local passwords allowed"}; ` +
      `one-step member connect ${memberCheck.tenants.length > 0 ? `for ${memberCheck.tenants.map((tenant) => tenant.label).join(", ")}` : "off"}`,
    ip: context.ip,
  });
  return { saved: true, checks };
}

