import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { checkTitles, DEFAULT_CHECK_TIMEOUT_MS, explained, timed, type CheckContext } from "@/lib/checks/check-kit";
import type { Check } from "@/lib/checks/schema";
import { secretHint } from "@/lib/connections/state";
import { parseCertificateUpload } from "@/lib/crypto/certificates";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import { resolveCloud } from "@/lib/entra/cloud-config";
import type { Cloud, CloudId } from "@/lib/entra/clouds";
import { createRetryBudget } from "@/lib/entra/http-transport";
import { acquireAppToken, type ClientCredential } from "@/lib/entra/msal-client";
import { fetchTenantMetadata } from "@/lib/entra/tenant-metadata";
import { UserFacingError } from "@/lib/errors";
import type { DelegatedAppInput, DelegatedAudience } from "@/lib/delegated/delegated-app-schema";

/**
 * The app registration members sign in through to connect their own mailbox. One per console: it is
 * the operator's choice, like the console's own URL. The credential is sealed; its hint (last four
 * characters of a secret, or a certificate's thumbprint) is all anyone sees after entry.
 */

export type DelegatedAppConfig = {
  cloud: Cloud;
  cloudId: CloudId;
  clientId: string;
  homeTenant: string;
  audience: DelegatedAudience;
  credential: ClientCredential;
  version: number;
};

export type DelegatedAppView = {
  cloudId: CloudId;
  clientId: string;
  homeTenant: string;
  audience: DelegatedAudience;
  credentialKind: ClientCredential["kind"];
  credentialHint: string;
  credentialExpiresAt: Date | null;
  applicationObjectId: string | null;
  certificateKeyId: string | null;
  verifiedAt: Date | null;
  verification: Check[] | null;
  version: number;
  updatedAt: Date;
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

const viewSelect = {
  cloud: true,
  clientId: true,
  homeTenant: true,
  audience: true,
  credentialKind: true,
  credentialHint: true,
  credentialExpiresAt: true,
  applicationObjectId: true,
  certificateKeyId: true,
  verifiedAt: true,
  verification: true,
  version: true,
  updatedAt: true,
} as const;

export async function getDelegatedAppView(db: DbClient): Promise<DelegatedAppView | null> {
  const row = await db.delegatedApp.findUnique({ where: { id: 1 }, select: viewSelect });
  if (!row) return null;
  return {
    cloudId: row.cloud as CloudId,
    clientId: row.clientId,
    homeTenant: row.homeTenant,
    audience: row.audience as DelegatedAudience,
    credentialKind: row.credentialKind as ClientCredential["kind"],
    credentialHint: row.credentialHint,
    credentialExpiresAt: row.credentialExpiresAt,
    applicationObjectId: row.applicationObjectId,
    certificateKeyId: row.certificateKeyId,
    verifiedAt: row.verifiedAt,
    verification: Array.isArray(row.verification) ? (row.verification as Check[]) : null,
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

/** The configuration with its credential opened, or null when none is saved (or its cloud is not configured here). */
export async function getDelegatedApp(db: DbClient, ring: KeyRing): Promise<DelegatedAppConfig | null> {
  const row = await db.delegatedApp.findUnique({ where: { id: 1 }, select: { ...viewSelect, credentialSealed: true, certificatePem: true } });
  if (!row) return null;
  const cloud = resolveCloud(row.cloud as CloudId);
  if (!cloud) return null;
  const credential = openCredential(ring, { kind: row.credentialKind, sealed: row.credentialSealed, hint: row.credentialHint, certificatePem: row.certificatePem }, credentialContext());
  return {
    cloud,
    cloudId: row.cloud as CloudId,
    clientId: row.clientId,
    homeTenant: row.homeTenant,
    audience: row.audience as DelegatedAudience,
    credential,
    version: row.version,
  };
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
  if (stored?.kind === "certificate") return { credential: stored, expiresAt: null };
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

export type SaveDelegatedAppResult = { saved: true; checks: Check[] } | { saved: false; checks: Check[] };

/**
 * Verifies, then saves. A failed verification saves nothing: a wrong client ID or secret here would
 * break every member's next sign-in. Leaving the credential empty keeps the stored one.
 */
export async function saveDelegatedApp(
  db: DbClient,
  ring: KeyRing,
  input: DelegatedAppInput,
  context: { actor: AuditActor & object; ip?: string | null },
  options: { timeoutMs?: number } = {},
): Promise<SaveDelegatedAppResult> {
  const cloud = resolveCloud(input.cloud);
  if (!cloud) throw new UserFacingError("This cloud is not configured on the server.", { cloud: "The custom cloud needs CALSYNC_AUTHORITY_HOST and CALSYNC_GRAPH_HOST." });
  const current = await getDelegatedApp(db, ring);
  const currentVersion = current?.version ?? 0;
  if (input.expectedVersion !== currentVersion) {
    throw new UserFacingError("Someone changed these settings while you were editing them. Reload the page and try again.");
  }
  const { credential, expiresAt } = credentialFromForm(input, current?.credential);

  const verification = await verifyDelegatedApp({ cloud, clientId: input.clientId, homeTenant: input.homeTenant, audience: input.audience, credential }, options);
  if (!verification.ok) return { saved: false, checks: verification.checks };

  const { hint, sealed } = sealCredential(ring, credential, credentialContext());
  const now = new Date();
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
    applicationObjectId: input.applicationObjectId ?? null,
    certificateKeyId: credential.kind === "certificate" ? (input.certificateKeyId ?? null) : null,
    verifiedAt: now,
    verification: verification.checks,
    updatedById: context.actor.id,
  };
  if (current) {
    const { count } = await db.delegatedApp.updateMany({ where: { id: 1, version: currentVersion }, data: { ...data, version: { increment: 1 } } });
    if (count === 0) throw new UserFacingError("Someone changed these settings while you were editing them. Reload the page and try again.");
  } else {
    await db.delegatedApp.create({ data: { id: 1, ...data, credentialExpiresAt: data.credentialExpiresAt ?? null } });
  }
  await recordAudit(db, {
    actor: context.actor,
    action: "delegated-app.save",
    target: { type: "delegated-app", id: "1", label: input.clientId },
    summary: `Set the mailbox sign-in app to ${input.clientId} (${input.audience}, ${input.cloud}); ${credential.kind === "secret" ? `secret ends in …${hint}` : `certificate ${hint.slice(0, 16)}…`}`,
    ip: context.ip,
  });
  return { saved: true, checks: verification.checks };
}
