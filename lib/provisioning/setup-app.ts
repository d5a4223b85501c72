import "server-only";
import type { AuditActor } from "@/lib/audit/audit";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import {
  appRegistrationSelect,
  appRegistrationView,
  openAppRegistration,
  openAppRegistrationSelect,
  saveAppRegistration,
  type AppRegistrationConfig,
  type AppRegistrationView,
  type SaveDelegatedAppResult,
} from "@/lib/delegated/delegated-app";
import { cleanDelegatedAppForm } from "@/lib/delegated/delegated-app-form";
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

export type SetupAppConfig = AppRegistrationConfig<SetupAppAudience>;

export type SetupAppView = AppRegistrationView<SetupAppAudience>;

/** The delegated Graph permissions the operator adds to the registration, in the settings page's order. */
export const setupAppPermissions: readonly string[] = setupAppScopes;

export const SETUP_APP_MISSING = "Signing in with Microsoft needs the setup app. An administrator sets it up once under Settings → Setup app; until then, paste a token.";

const credentialContext = () => sealContext("setup_apps", "credential_sealed", 1);

export async function getSetupAppView(db: DbClient): Promise<SetupAppView | null> {
  const row = await db.setupApp.findUnique({ where: { id: 1 }, select: appRegistrationSelect });
  return row ? appRegistrationView<SetupAppAudience>(row) : null;
}

/** The configuration with its credential opened, or null when none is saved (or its cloud is not configured here). */
export async function getSetupApp(db: DbClient, ring: KeyRing): Promise<SetupAppConfig | null> {
  return openAppRegistration(ring, await db.setupApp.findUnique({ where: { id: 1 }, select: openAppRegistrationSelect }), credentialContext());
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

export type SaveSetupAppResult = SaveDelegatedAppResult;

/** Refuses a shared client ID, verifies (sign-in metadata, and a token with this credential), then saves. A failed verification saves nothing. */
export async function saveSetupApp(
  db: DbClient,
  ring: KeyRing,
  form: SetupAppForm,
  context: { actor: AuditActor & object; ip?: string | null },
  options: { timeoutMs?: number } = {},
): Promise<SaveSetupAppResult> {
  const input = { ...cleanDelegatedAppForm(form), audience: form.audience };
  return saveAppRegistration(
    db,
    ring,
    {
      table: db.setupApp,
      current: () => getSetupApp(db, ring),
      credentialContext: credentialContext(),
      extraData: () => ({}),
      refuse: async () => {
        const conflict = await setupAppClientIdConflict(db, input.clientId);
        if (conflict) throw new UserFacingError(conflict, { clientId: conflict });
      },
      audit: { type: "setup-app", name: "the setup app" },
    },
    input,
    context,
    options,
  );
}
