import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import type { Check } from "@/lib/checks/schema";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import { credentialFromForm, openCredential, sealCredential, verifyDelegatedApp } from "@/lib/delegated/delegated-app";
import { cleanDelegatedAppForm } from "@/lib/delegated/delegated-app-form";
import { resolveCloud } from "@/lib/entra/cloud-config";
import type { Cloud, CloudId } from "@/lib/entra/clouds";
import type { ClientCredential } from "@/lib/entra/msal-client";
import { UserFacingError } from "@/lib/errors";
import type { SetupAppAudience, SetupAppForm } from "@/lib/provisioning/setup-app-schema";
import { setupAppScopes } from "@/lib/provisioning/setup-token";

/**
 * The setup app: an app registration the operator adds once, through which an administrator signs in
 * for "Set it up for me". It holds directory-write scopes, and Entra puts every consented scope of an
 * app into each of its tokens, so it must never be an app whose tokens go elsewhere (the mailbox
 * sign-in app's go to the sync engine). Stored and verified like the mailbox sign-in app, whose
 * helpers it uses.
 */

export type SetupAppConfig = {
  cloud: Cloud;
  cloudId: CloudId;
  clientId: string;
  homeTenant: string;
  audience: SetupAppAudience;
  credential: ClientCredential;
  version: number;
};

export type SetupAppView = Omit<SetupAppConfig, "cloud" | "credential"> & {
  credentialKind: ClientCredential["kind"];
  credentialHint: string;
  credentialExpiresAt: Date | null;
  verifiedAt: Date | null;
  verification: Check[] | null;
  updatedAt: Date;
};

/** The delegated Graph permissions the operator adds to the registration, in the settings page's order. */
export const setupAppPermissions: readonly string[] = setupAppScopes;

export const SETUP_APP_MISSING = "Signing in with Microsoft needs the setup app. An administrator sets it up once under Settings → Setup app; until then, paste a token.";

const credentialContext = () => sealContext("setup_apps", "credential_sealed", 1);

const viewSelect = {
  cloud: true,
  clientId: true,
  homeTenant: true,
  audience: true,
  credentialKind: true,
  credentialHint: true,
  credentialExpiresAt: true,
  verifiedAt: true,
  verification: true,
  version: true,
  updatedAt: true,
} as const;

export async function getSetupAppView(db: DbClient): Promise<SetupAppView | null> {
  const row = await db.setupApp.findUnique({ where: { id: 1 }, select: viewSelect });
  if (!row) return null;
  return {
    cloudId: row.cloud as CloudId,
    clientId: row.clientId,
    homeTenant: row.homeTenant,
    audience: row.audience as SetupAppAudience,
    credentialKind: row.credentialKind as ClientCredential["kind"],
    credentialHint: row.credentialHint,
    credentialExpiresAt: row.credentialExpiresAt,
    verifiedAt: row.verifiedAt,
    verification: Array.isArray(row.verification) ? (row.verification as Check[]) : null,
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

/** The configuration with its credential opened, or null when none is saved (or its cloud is not configured here). */
export async function getSetupApp(db: DbClient, ring: KeyRing): Promise<SetupAppConfig | null> {
  const row = await db.setupApp.findUnique({ where: { id: 1 }, select: { ...viewSelect, credentialSealed: true, certificatePem: true } });
  if (!row) return null;
  const cloud = resolveCloud(row.cloud as CloudId);
  if (!cloud) return null;
  const credential = openCredential(ring, { kind: row.credentialKind, sealed: row.credentialSealed, hint: row.credentialHint, certificatePem: row.certificatePem }, credentialContext());
  return { cloud, cloudId: row.cloud as CloudId, clientId: row.clientId, homeTenant: row.homeTenant, audience: row.audience as SetupAppAudience, credential, version: row.version };
}

/** Why a client ID cannot be the setup app: it is already the app whose tokens go to mailboxes or console sign-in. */
export async function setupAppClientIdConflict(db: DbClient, clientId: string): Promise<string | undefined> {
  const [mailboxApp, consoleSignIn] = await Promise.all([
    db.delegatedApp.findUnique({ where: { id: 1 }, select: { clientId: true } }),
    db.consoleSignIn.findUnique({ where: { id: 1 }, select: { clientId: true } }),
  ]);
  const same = (other: string | undefined) => other !== undefined && other.toLowerCase() === clientId.toLowerCase();
  const reason =
    "Entra puts every consented permission of an app into each of its tokens, so the setup app's directory-write permissions (Application.ReadWrite.All and the others) " +
    "would then be in tokens meant for something else. Register a separate app used only for setup.";
  if (same(mailboxApp?.clientId)) return `This is the mailbox sign-in app. ${reason} The mailbox sign-in app's tokens go to the sync engine.`;
  if (same(consoleSignIn?.clientId)) return `This is the console sign-in app. ${reason}`;
  return undefined;
}

export type SaveSetupAppResult = { saved: boolean; checks: Check[] };

/** Refuses a shared client ID, verifies (sign-in metadata, and a token with this credential), then saves. A failed verification saves nothing. */
export async function saveSetupApp(
  db: DbClient,
  ring: KeyRing,
  form: SetupAppForm,
  context: { actor: AuditActor & object; ip?: string | null },
  options: { timeoutMs?: number } = {},
): Promise<SaveSetupAppResult> {
  const input = cleanDelegatedAppForm(form);
  const cloud = resolveCloud(input.cloud);
  if (!cloud) throw new UserFacingError("This cloud is not configured on the server.", { cloud: "The custom cloud needs CALSYNC_AUTHORITY_HOST and CALSYNC_GRAPH_HOST." });
  const conflict = await setupAppClientIdConflict(db, input.clientId);
  if (conflict) throw new UserFacingError(conflict, { clientId: conflict });
  const current = await getSetupApp(db, ring);
  const currentVersion = current?.version ?? 0;
  if (input.expectedVersion !== currentVersion) throw new UserFacingError("Someone changed these settings while you were editing them. Reload the page and try again.");
  const { credential, expiresAt } = credentialFromForm(input, current?.credential);
  const audience = form.audience;

  const verification = await verifyDelegatedApp({ cloud, clientId: input.clientId, homeTenant: input.homeTenant, audience, credential }, options);
  if (!verification.ok) return { saved: false, checks: verification.checks };

  const { sealed, hint } = sealCredential(ring, credential, credentialContext());
  const data = {
    cloud: input.cloud,
    clientId: input.clientId,
    homeTenant: input.homeTenant,
    audience,
    credentialKind: credential.kind,
    credentialSealed: sealed,
    credentialHint: hint,
    certificatePem: credential.kind === "certificate" ? credential.certificatePem : null,
    credentialExpiresAt: expiresAt,
    verifiedAt: new Date(),
    verification: verification.checks,
    updatedById: context.actor.id,
  };
  if (current) {
    const { count } = await db.setupApp.updateMany({ where: { id: 1, version: currentVersion }, data: { ...data, version: { increment: 1 } } });
    if (count === 0) throw new UserFacingError("Someone changed these settings while you were editing them. Reload the page and try again.");
  } else {
    await db.setupApp.create({ data: { id: 1, ...data, credentialExpiresAt: expiresAt ?? null }, select: { id: true } });
  }
  await recordAudit(db, {
    actor: context.actor,
    action: "setup-app.save",
    target: { type: "setup-app", id: "1", label: input.clientId },
    summary: `Set the setup app to ${input.clientId} (${audience}, ${input.cloud}); ${credential.kind === "secret" ? `secret ends in …${hint}` : `certificate ${hint.slice(0, 16)}…`}`,
    ip: context.ip,
  });
  return { saved: true, checks: verification.checks };
}
