import "server-only";
import { z } from "zod";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { DEFAULT_CHECK_TIMEOUT_MS, explained, timed, type CheckContext } from "@/lib/checks/check-kit";
import type { Check } from "@/lib/checks/schema";
import type { KeyRing } from "@/lib/crypto/seal";
import type { AppPrismaClient, DbClient } from "@/lib/db/types";
import { getDelegatedApp, verifyDelegatedApp, type DelegatedAppConfig } from "@/lib/delegated/delegated-app";
import { createRetryBudget } from "@/lib/entra/http-transport";
import { fetchTenantMetadata } from "@/lib/entra/tenant-metadata";
import { UserFacingError } from "@/lib/errors";
import type { GroupMapping } from "@/lib/auth/oidc/role-mapping";
import type { ConsoleSignInInput } from "@/lib/auth/oidc/settings-schema";

/**
 * Console sign-in with Microsoft: which tenants staff come from, how groups map to roles, whether
 * people without a role become members, and whether local passwords still work. It signs in through
 * the mailbox sign-in app, so it counts as verified only while that app is the one it was verified with.
 */

export type TrustedTenant = { id: string; label: string };

export type ConsoleSignInSettings = {
  clientId: string;
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
  return {
    clientId: row.clientId,
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

export type ReadyConsoleSignIn = { settings: ConsoleSignInSettings; app: DelegatedAppConfig };

/** Settings and app together, or null when Microsoft sign-in is off: not saved, or the sign-in app changed since. */
export async function getReadyConsoleSignIn(db: DbClient, ring: KeyRing): Promise<ReadyConsoleSignIn | null> {
  const settings = await getConsoleSignIn(db);
  if (!settings?.verifiedAt || settings.tenants.length === 0) return null;
  const app = await getDelegatedApp(db, ring);
  if (!app || app.clientId !== settings.clientId) return null;
  return { settings, app };
}

/** Whether Microsoft sign-in is verified for the current sign-in app, without opening its credential. */
export async function isMicrosoftSignInVerified(db: DbClient): Promise<boolean> {
  const [settings, app] = await Promise.all([
    db.consoleSignIn.findUnique({ where: { id: 1 }, select: { clientId: true, verifiedAt: true } }),
    db.delegatedApp.findUnique({ where: { id: 1 }, select: { clientId: true } }),
  ]);
  return Boolean(settings?.verifiedAt && app && app.clientId === settings.clientId);
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
  const app = await getDelegatedApp(db, ring);
  if (!app) throw new UserFacingError(SIGN_IN_APP_MISSING);
  const current = await getConsoleSignIn(db);
  const currentVersion = current?.version ?? 0;
  if (input.expectedVersion !== currentVersion) throw new UserFacingError("Someone changed these settings while you were editing them. Reload the page and try again.");
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
    verifyTrustedTenants(app, input.memberTenants),
  ]);
  const checks = [...appCheck.checks, ...tenantCheck.checks, ...memberCheck.checks];
  if (checks.some((check) => check.status === "fail")) return { saved: false, checks };

  const data = {
    clientId: app.clientId,
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
    if (count === 0) throw new UserFacingError("Someone changed these settings while you were editing them. Reload the page and try again.");
  } else {
    await db.consoleSignIn.create({ data: { id: 1, ...data }, select: { id: true } });
  }
  const groupCount = input.adminGroups.length + input.helpdeskGroups.length + input.memberGroups.length;
  await recordAudit(db, {
    actor: context.actor,
    action: "console-sign-in.save",
    target: { type: "console-sign-in", id: "1", label: app.clientId },
    summary:
      `Set Sign in with Microsoft to trust ${tenantCheck.tenants.map((tenant) => tenant.label).join(", ")}; ${groupCount} mapped group${groupCount === 1 ? "" : "s"}; ` +
      `members ${input.allowMembers ? "allowed" : "not allowed"}; ${input.microsoftOnly ? "Microsoft sign-in only" : "local passwords allowed"}; ` +
      `one-step member connect ${memberCheck.tenants.length > 0 ? `for ${memberCheck.tenants.map((tenant) => tenant.label).join(", ")}` : "off"}`,
    ip: context.ip,
  });
  return { saved: true, checks };
}

