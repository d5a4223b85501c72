import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { checkTitles, DEFAULT_CHECK_TIMEOUT_MS, explained, timed, type CheckContext } from "@/lib/checks/check-kit";
import type { Check } from "@/lib/checks/schema";
import { secretHint } from "@/lib/connections/state";
import { describeCertificate, parseCertificateUpload } from "@/lib/crypto/certificates";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import { resolveCloud } from "@/lib/entra/cloud-config";
import type { Cloud, CloudId } from "@/lib/entra/clouds";
import { createRetryBudget } from "@/lib/entra/http-transport";
import { acquireAppToken, type ClientCredential } from "@/lib/entra/msal-client";
import { fetchTenantMetadata } from "@/lib/entra/tenant-metadata";
import { UserFacingError } from "@/lib/errors";
import type { DelegatedAppInput, DelegatedAudience } from "@/lib/delegated/delegated-app-schema";
import { discardMailboxCertificateDraft, openMailboxCertificateDraft } from "@/lib/delegated/delegated-app-certificate";

/**
 * The app registration members sign in through to connect their own mailbox. One per console: it is
 * the operator's choice, like the console's own URL. The credential is sealed; its hint (last four
 * characters of a secret, or a certificate's thumbprint) is all anyone sees after entry. The other
 * app registrations the console signs in through (the setup app, a separate console sign-in app) are
 * read, verified and saved by the same helpers, so their rules cannot drift apart.
 */

/** An app registration the console signs in through, its credential opened. `A`: whom it lets sign in. */
export type AppRegistrationConfig<A extends string> = {
  cloud: Cloud;
  cloudId: CloudId;
  clientId: string;
  homeTenant: string;
  audience: A;
  credential: ClientCredential;
  version: number;
};

/** The same registration as anyone may see it: the credential's hint, never the credential. */
export type AppRegistrationView<A extends string> = {
  cloudId: CloudId;
  clientId: string;
  homeTenant: string;
  audience: A;
  credentialKind: ClientCredential["kind"];
  credentialHint: string;
  credentialExpiresAt: Date | null;
  verifiedAt: Date | null;
  verification: Check[] | null;
  version: number;
  updatedAt: Date;
};

export type DelegatedAppConfig = AppRegistrationConfig<DelegatedAudience>;

export type DelegatedAppView = AppRegistrationView<DelegatedAudience> & {
  applicationObjectId: string | null;
  certificateKeyId: string | null;
  /** The certificate in use (public part only), null for a secret. */
  certificatePem: string | null;
  /** Calsync made the certificate, so it renews it. */
  certificateGenerated: boolean;
  renewalStep: string | null;
  /** Why renewal stopped, with what to do; null when it did not. */
  renewalWarning: string | null;
};

/** The msal Microsoft tenant of personal accounts: a `tid` of this value is an outlook.com/live.com account. */
export const PERSONAL_ACCOUNT_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

/** Where members sign in: the home tenant alone, any work account, or any work or personal account. */
export function signInTenant(config: Pick<DelegatedAppConfig, "audience" | "homeTenant">): string {
  switch (config.audience) {
    case "organization":
      return config.homeTenant;
    case "organizations":
      return "organizations";
    case "organizations-and-personal":
      return "common";
  }
}

const credentialContext = () => sealContext("delegated_apps", "credential_sealed", 1);

/** Where the mailbox sign-in app's credential (a secret, or a certificate's private key) is sealed. */
export const delegatedCredentialContext = credentialContext;

/** The columns of a view, which every table holding one app registration (mailbox sign-in app, setup app) has. */
export const appRegistrationSelect = {
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

/** The columns that open a registration's credential. */
export const openAppRegistrationSelect = {
  cloud: true,
  clientId: true,
  homeTenant: true,
  audience: true,
  credentialKind: true,
  credentialSealed: true,
  credentialHint: true,
  certificatePem: true,
  version: true,
} as const;

type AppRegistrationRow = {
  cloud: string;
  clientId: string;
  homeTenant: string;
  audience: string;
  credentialKind: string;
  credentialHint: string;
  credentialExpiresAt: Date | null;
  verifiedAt: Date | null;
  verification: unknown;
  version: number;
  updatedAt: Date;
};

type OpenAppRegistrationRow = Pick<AppRegistrationRow, "cloud" | "clientId" | "homeTenant" | "audience" | "credentialKind" | "credentialHint" | "version"> & {
  credentialSealed: string;
  certificatePem: string | null;
};

export function appRegistrationView<A extends string>(row: AppRegistrationRow): AppRegistrationView<A> {
  return {
    cloudId: row.cloud as CloudId,
    clientId: row.clientId,
    homeTenant: row.homeTenant,
    audience: row.audience as A,
    credentialKind: row.credentialKind as ClientCredential["kind"],
    credentialHint: row.credentialHint,
    credentialExpiresAt: row.credentialExpiresAt,
    verifiedAt: row.verifiedAt,
    verification: Array.isArray(row.verification) ? (row.verification as Check[]) : null,
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

/** The stored registration with its credential opened, or null when none is saved (or its cloud is not configured here). */
export function openAppRegistration<A extends string>(ring: KeyRing, row: OpenAppRegistrationRow | null, context: string): AppRegistrationConfig<A> | null {
  if (!row) return null;
  const cloud = resolveCloud(row.cloud as CloudId);
  if (!cloud) return null;
  const credential = openCredential(ring, { kind: row.credentialKind, sealed: row.credentialSealed, hint: row.credentialHint, certificatePem: row.certificatePem }, context);
  return { cloud, cloudId: row.cloud as CloudId, clientId: row.clientId, homeTenant: row.homeTenant, audience: row.audience as A, credential, version: row.version };
}

export async function getDelegatedAppView(db: DbClient): Promise<DelegatedAppView | null> {
  const row = await db.delegatedApp.findUnique({
    where: { id: 1 },
    select: { ...appRegistrationSelect, applicationObjectId: true, certificateKeyId: true, certificatePem: true, certificateGenerated: true, renewalStep: true, renewalWarning: true },
  });
  if (!row) return null;
  const certificate = row.credentialKind === "certificate";
  return {
    ...appRegistrationView<DelegatedAudience>(row),
    applicationObjectId: row.applicationObjectId,
    certificateKeyId: row.certificateKeyId,
    certificatePem: certificate ? row.certificatePem : null,
    certificateGenerated: certificate && row.certificateGenerated,
    renewalStep: row.renewalStep,
    renewalWarning: row.renewalWarning,
  };
}

/** The configuration with its credential opened, or null when none is saved (or its cloud is not configured here). */
export async function getDelegatedApp(db: DbClient, ring: KeyRing): Promise<DelegatedAppConfig | null> {
  return openAppRegistration(ring, await db.delegatedApp.findUnique({ where: { id: 1 }, select: openAppRegistrationSelect }), credentialContext());
}

/**
 * Proves a configuration before it is saved: the sign-in authority's OpenID metadata answers, and the
 * app gets a token at its home tenant with this credential (client credentials: the one token request
 * an app can make without a user, and it fails exactly when the client ID or credential is wrong).
 */
export async function verifyDelegatedApp(
  config: Pick<DelegatedAppConfig, "cloud" | "clientId" | "homeTenant" | "audience" | "credential">,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ ok: boolean; checks: Check[] }> {
  const secrets = config.credential.kind === "secret" ? [config.credential.secret] : [];
  const ctx: CheckContext = {
    cloud: config.cloud,
    options: options.signal ? { signal: options.signal } : {},
    retry: createRetryBudget(),
    secrets,
    timeoutMs: options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
  };
  const authority = signInTenant(config);
  const [tenant, token] = await Promise.all([
    timed(ctx, "tenant", async (policy) => {
      const metadata = await fetchTenantMetadata({ cloud: config.cloud, tenant: authority, policy });
      if (!metadata.ok) return explained(ctx, "fail", metadata.failure);
      return { status: "pass", title: "Sign-in authority found", detail: `Microsoft's sign-in metadata for "${authority}" answered in ${config.cloud.label}.` };
    }),
    timed(ctx, "token", async (policy) => {
      const result = await acquireAppToken({ cloud: config.cloud, tenant: config.homeTenant, clientId: config.clientId, credential: config.credential, policy });
      if (!result.ok) return explained(ctx, "fail", result.failure);
      return {
        status: "pass",
        title: checkTitles.token,
        detail: `Microsoft accepted this client ID and ${config.credential.kind === "secret" ? "client secret" : "certificate"} in tenant ${config.homeTenant}.`,
        correlationId: result.correlationId,
      };
    }),
  ]);
  const checks = [tenant, token];
  return { ok: checks.every((check) => check.status !== "fail"), checks };
}

type CredentialForm = Pick<DelegatedAppInput, "credentialKind" | "clientSecret" | "secretExpiresAt" | "certificatePem">;

/**
 * The credential a form names: a new secret, a pasted certificate with its key, or (left empty) the
 * stored one of the same kind. Any app the console signs in through takes its credential this way.
 */
export function credentialFromForm(input: CredentialForm, stored: ClientCredential | undefined): { credential: ClientCredential; expiresAt: Date | null } {
  if (input.credentialKind === "secret") {
    if (input.clientSecret) return { credential: { kind: "secret", secret: input.clientSecret }, expiresAt: input.secretExpiresAt ?? null };
    if (stored?.kind === "secret") return { credential: stored, expiresAt: input.secretExpiresAt ?? null };
    throw new UserFacingError("Enter the client secret.", { clientSecret: "Enter the client secret's value (not its ID)." });
  }
  if (input.certificatePem) {
    const parsed = parseCertificateUpload({ kind: "pem", pem: input.certificatePem }, { field: "certificateKeyPem" });
    return {
      credential: { kind: "certificate", privateKeyPem: parsed.privateKeyPem, certificatePem: parsed.certificatePem, thumbprintSha256: parsed.thumbprintSha256 },
      expiresAt: parsed.expiresAt,
    };
  }
  // A kept certificate keeps its exact end date: the renewal job and the expiry alerts count down to it.
  if (stored?.kind === "certificate") return { credential: stored, expiresAt: stored.certificatePem ? describeCertificate(stored.certificatePem).expiresAt : null };
  throw new UserFacingError("Paste the certificate and its private key.", { certificateKeyPem: "Paste the certificate and its private key (PEM)." });
}

/** What is stored of a credential: its secret part sealed to its column, and the hint anyone may see. */
export function sealCredential(ring: KeyRing, credential: ClientCredential, context: string): { sealed: string; hint: string } {
  return {
    sealed: ring.seal(credential.kind === "secret" ? credential.secret : credential.privateKeyPem, context),
    hint: credential.kind === "secret" ? secretHint(credential.secret) : credential.thumbprintSha256,
  };
}

/** A stored credential opened again: the sealed secret or key, and for a certificate its public part and thumbprint. */
export function openCredential(ring: KeyRing, row: { kind: string; sealed: string; hint: string; certificatePem: string | null }, context: string): ClientCredential {
  const opened = ring.open(row.sealed, context);
  return row.kind === "certificate"
    ? { kind: "certificate", privateKeyPem: opened, certificatePem: row.certificatePem ?? "", thumbprintSha256: row.hint }
    : { kind: "secret", secret: opened };
}

/**
 * Refuses the mailbox sign-in app where a form asks for another app registration: naming it twice
 * would keep two copies of its credential that drift apart, and the choice "the mailbox sign-in app"
 * already covers it. `purpose` completes "an app of its own for …".
 */
export async function assertNotMailboxSignInApp(db: DbClient, clientId: string, purpose: string): Promise<void> {
  const mailbox = await db.delegatedApp.findUnique({ where: { id: 1 }, select: { clientId: true } });
  if (mailbox && mailbox.clientId.toLowerCase() === clientId.toLowerCase()) {
    throw new UserFacingError(`This client ID is the mailbox sign-in app's. Choose the mailbox sign-in app, or enter an app of its own for ${purpose}.`, {
      clientId: "This is the mailbox sign-in app: choose it above instead, or enter another app registration",
    });
  }
}

/**
 * Refuses the setup app's client ID for an app whose tokens go elsewhere (mailboxes, console sign-in):
 * Entra puts every consented scope into each token of an app, so the setup app's directory-write
 * permissions would ride along in tokens handed to the sync engine.
 */
export async function assertNotSetupApp(db: DbClient, clientId: string): Promise<void> {
  const setup = await db.setupApp.findUnique({ where: { id: 1 }, select: { clientId: true } });
  if (setup && setup.clientId.toLowerCase() === clientId.toLowerCase()) {
    const message =
      "This client ID is the setup app's. Entra puts every consented permission of an app into each of its tokens, so its directory-write permissions would be in these tokens too. Use an app registration of its own.";
    throw new UserFacingError(message, { clientId: "This is the setup app: enter another app registration" });
  }
}

export const SETTINGS_CHANGED_MEANWHILE = "Someone changed these settings while you were editing them. Reload the page and try again.";

/** The cloud a form names, or the message that it is not configured on this server. */
export function requireCloud(cloudId: CloudId): Cloud {
  const cloud = resolveCloud(cloudId);
  if (!cloud) throw new UserFacingError("This cloud is not configured on the server.", { cloud: "The custom cloud needs CALSYNC_AUTHORITY_HOST and CALSYNC_GRAPH_HOST." });
  return cloud;
}

/** A credential as an audit summary names it: never the secret, only what its hint shows. */
export function credentialSummary(kind: ClientCredential["kind"], hint: string): string {
  return kind === "secret" ? `secret ends in …${hint}` : `certificate ${hint.slice(0, 16)}…`;
}

/** What a save writes to a registration's table, besides the columns only one table has. */
type AppRegistrationData = {
  cloud: CloudId;
  clientId: string;
  homeTenant: string;
  audience: string;
  credentialKind: ClientCredential["kind"];
  credentialSealed: string;
  credentialHint: string;
  certificatePem: string | null;
  credentialExpiresAt: Date | null;
  verifiedAt: Date;
  verification: Check[];
  updatedById: string;
};

/** The one-row table a registration is saved to (`db.delegatedApp`, `db.setupApp`); `Extra`: its own columns. */
export type AppRegistrationTable<Extra extends object> = {
  updateMany(args: { where: { id: number; version: number }; data: AppRegistrationData & Extra & { version: { increment: number } } }): PromiseLike<{ count: number }>;
  create(args: { data: AppRegistrationData & Extra & { id: number }; select: { id: true } }): PromiseLike<unknown>;
};

export type AppRegistrationInput<A extends string> = Omit<DelegatedAppInput, "audience"> & { audience: A };

export type SaveDelegatedAppResult = { saved: true; checks: Check[] } | { saved: false; checks: Check[] };

/**
 * Verifies, then saves, any app registration the console signs in through. A failed verification
 * saves nothing: a wrong client ID or secret would break the next sign-in through it. Leaving the
 * credential empty keeps the stored one. `refuse` throws for a client ID this app must not have.
 */
export async function saveAppRegistration<A extends DelegatedAudience, Extra extends object>(
  db: DbClient,
  ring: KeyRing,
  app: {
    table: AppRegistrationTable<NoInfer<Extra>>;
    current: () => Promise<AppRegistrationConfig<A> | null>;
    credentialContext: string;
    extraData: (input: AppRegistrationInput<A>, credential: ClientCredential, current: AppRegistrationConfig<A> | null) => Extra;
    /** A credential the form names by choice rather than by value (a generated certificate); undefined: the form's fields. */
    chosenCredential?: (input: AppRegistrationInput<A>) => Promise<{ credential: ClientCredential; expiresAt: Date | null } | undefined>;
    refuse?: () => Promise<void>;
    audit: { type: string; name: string };
  },
  input: AppRegistrationInput<A>,
  context: { actor: AuditActor & object; ip?: string | null },
  options: { timeoutMs?: number } = {},
): Promise<SaveDelegatedAppResult> {
  const cloud = requireCloud(input.cloud);
  await app.refuse?.();
  const current = await app.current();
  const currentVersion = current?.version ?? 0;
  if (input.expectedVersion !== currentVersion) throw new UserFacingError(SETTINGS_CHANGED_MEANWHILE);
  const { credential, expiresAt } = (await app.chosenCredential?.(input)) ?? credentialFromForm(input, current?.credential);

  const verification = await verifyDelegatedApp({ cloud, clientId: input.clientId, homeTenant: input.homeTenant, audience: input.audience, credential }, options);
  if (!verification.ok) return { saved: false, checks: verification.checks };

  const { hint, sealed } = sealCredential(ring, credential, app.credentialContext);
  const data = {
    cloud: input.cloud,
    clientId: input.clientId,
    homeTenant: input.homeTenant,
    audience: input.audience,
    credentialKind: credential.kind,
    credentialSealed: sealed,
    credentialHint: hint,
    certificatePem: credential.kind === "certificate" ? credential.certificatePem : null,
    credentialExpiresAt: expiresAt,
    ...app.extraData(input, credential, current),
    verifiedAt: new Date(),
    verification: verification.checks,
    updatedById: context.actor.id,
  };
  if (current) {
    const { count } = await app.table.updateMany({ where: { id: 1, version: currentVersion }, data: { ...data, version: { increment: 1 } } });
    if (count === 0) throw new UserFacingError(SETTINGS_CHANGED_MEANWHILE);
  } else {
    await app.table.create({ data: { id: 1, ...data }, select: { id: true } });
  }
  await recordAudit(db, {
    actor: context.actor,
    action: `${app.audit.type}.save`,
    target: { type: app.audit.type, id: "1", label: input.clientId },
    summary: `Set ${app.audit.name} to ${input.clientId} (${input.audience}, ${input.cloud}); ${credentialSummary(credential.kind, hint)}`,
    ip: context.ip,
  });
  return { saved: true, checks: verification.checks };
}

function sameCredential(a: ClientCredential | undefined, b: ClientCredential): boolean {
  if (a?.kind === "secret" && b.kind === "secret") return a.secret === b.secret;
  return a?.kind === "certificate" && b.kind === "certificate" && a.thumbprintSha256 === b.thumbprintSha256;
}

/**
 * Verifies, then saves the mailbox sign-in app: every member's next sign-in goes through it. A new
 * credential ends any renewal of the old one; a generated certificate becomes the app's and is
 * renewed from then on.
 */
export async function saveDelegatedApp(
  db: DbClient,
  ring: KeyRing,
  input: DelegatedAppInput,
  context: { actor: AuditActor & object; ip?: string | null },
  options: { timeoutMs?: number } = {},
): Promise<SaveDelegatedAppResult> {
  const generated = input.credentialKind === "certificate" && input.certificateSource === "generated" ? await openMailboxCertificateDraft(db, ring) : null;
  const stored = await getDelegatedAppView(db);
  if (input.credentialKind === "certificate" && input.certificateSource === "generated" && !generated) {
    throw new UserFacingError("Generate a certificate first, or choose your own certificate.", { certificateSource: "No generated certificate is waiting: generate one above" });
  }
  const result = await saveAppRegistration(
    db,
    ring,
    {
      table: db.delegatedApp,
      current: () => getDelegatedApp(db, ring),
      credentialContext: credentialContext(),
      chosenCredential: async () => (generated ? { credential: generated.credential, expiresAt: generated.expiresAt } : undefined),
      extraData: (form, credential, current) => {
        const changed = !sameCredential(current?.credential, credential);
        const applicationObjectId = form.applicationObjectId ?? null;
        // A Certificate ID left filled in from the previous certificate names that one: kept, the first renewal would remove it from the app.
        const staleKeyId = changed && form.certificateKeyId !== undefined && form.certificateKeyId.toLowerCase() === stored?.certificateKeyId?.toLowerCase();
        return {
          applicationObjectId,
          certificateKeyId: credential.kind === "certificate" && !staleKeyId ? (form.certificateKeyId ?? null) : null,
          // A warning such as "Object ID unknown" is out of date once the Object ID changes; the next renewal pass says again what still blocks it.
          ...(applicationObjectId !== (stored?.applicationObjectId ?? null) ? { renewalWarning: null } : {}),
          ...(!changed
            ? {}
            : {
                certificateGenerated: generated !== null,
                certificateValidityMonths: generated?.validityMonths ?? null,
                pendingCertificateKeySealed: null,
                pendingCertificatePem: null,
                pendingCertificateKeyId: null,
                renewalStep: null,
                previousCertificateKeyId: null,
                previousCertificateThumbprint: null,
                renewalWarning: null,
              }),
        };
      },
      refuse: () => assertNotSetupApp(db, input.clientId),
      audit: { type: "delegated-app", name: "the mailbox sign-in app" },
    },
    input,
    context,
    options,
  );
  if (result.saved && generated) await discardMailboxCertificateDraft(db, generated.credential.thumbprintSha256);
  return result;
}
