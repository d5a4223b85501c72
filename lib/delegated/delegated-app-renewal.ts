import "server-only";
import { recordAudit } from "@/lib/audit/audit";
import type { RenewalOwner, RenewalState } from "@/lib/credentials/renewal";
import { renewalColumnsChange, renewalColumnsSelect, renewalColumnsState } from "@/lib/credentials/renewal-columns";
import { sealContext } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import { delegatedCredentialContext } from "@/lib/delegated/delegated-app";

/**
 * The mailbox sign-in app as an owner of a certificate the console renews (`lib/credentials/renewal.ts`
 * runs the steps). Its one row is leased like a connection's; every step is also guarded by the row's
 * version, so an admin saving another credential meanwhile wins and the renewal stops. The switch
 * bumps the version, and people's sign-ins read the row each time, so they use whichever certificate
 * is current.
 */

export const MAILBOX_APP_RENEWAL_KEY = "mailbox-sign-in-app";
const LEASE_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

export const pendingDelegatedKeyContext = () => sealContext("delegated_apps", "pending_certificate_key_sealed", 1);

const renewalSelect = {
  ...renewalColumnsSelect,
  cloud: true,
  clientId: true,
  homeTenant: true,
  credentialKind: true,
  credentialSealed: true,
  credentialHint: true,
  credentialExpiresAt: true,
  renewalWarning: true,
  version: true,
} as const;

/** Leases the app's renewal when it is due or unfinished and no other instance holds it. */
export async function leaseMailboxAppRenewal(db: DbClient, options: { instanceId: string; now: Date; renewDays: number; leaseMs?: number }): Promise<boolean> {
  const { count } = await db.delegatedApp.updateMany({
    where: {
      id: 1,
      credentialKind: "certificate",
      certificateGenerated: true,
      OR: [{ renewalStep: { not: null } }, { credentialExpiresAt: { lte: new Date(options.now.getTime() + options.renewDays * DAY_MS) } }],
      AND: [{ OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lte: options.now } }] }],
    },
    data: { leaseOwner: options.instanceId, leaseExpiresAt: new Date(options.now.getTime() + (options.leaseMs ?? LEASE_MS)) },
  });
  return count === 1;
}

export async function releaseMailboxAppRenewal(db: DbClient, instanceId: string): Promise<void> {
  await db.delegatedApp.updateMany({ where: { id: 1, leaseOwner: instanceId }, data: { leaseOwner: null, leaseExpiresAt: null } });
}

export function mailboxAppRenewalOwner(instanceId: string): RenewalOwner {
  let version = 0;
  let warning: string | null = null;
  let clientId = "";
  const guarded = () => ({ id: 1, leaseOwner: instanceId, version });
  return {
    key: MAILBOX_APP_RENEWAL_KEY,
    keyContext: delegatedCredentialContext(),
    pendingKeyContext: pendingDelegatedKeyContext(),
    commonName: () => "Calsync Console: mailbox sign-in",
    async read(db) {
      const row = await db.delegatedApp.findFirst({ where: { id: 1, leaseOwner: instanceId }, select: renewalSelect });
      if (!row) return null;
      version = row.version;
      warning = row.renewalWarning;
      clientId = row.clientId;
      const certificate = row.credentialKind === "certificate";
      return {
        ...renewalColumnsState(row),
        name: "the mailbox sign-in app",
        cloud: row.cloud,
        tenantId: row.homeTenant,
        clientId: row.clientId,
        generated: certificate && row.certificateGenerated,
        keySealed: certificate ? row.credentialSealed : null,
        thumbprint: certificate ? row.credentialHint : null,
        expiresAt: row.credentialExpiresAt,
        policyMaxDays: null,
      } satisfies RenewalState;
    },
    async update(db, change) {
      const { count } = await db.delegatedApp.updateMany({ where: guarded(), data: renewalColumnsChange(change) });
      return count === 1;
    },
    async switch(tx, change) {
      const { count } = await tx.delegatedApp.updateMany({
        where: { ...guarded(), credentialKind: "certificate", renewalStep: "added" },
        data: {
          ...renewalColumnsChange(change),
          credentialSealed: change.keySealed,
          certificatePem: change.certificatePem,
          credentialHint: change.thumbprint,
          credentialExpiresAt: change.expiresAt,
          certificateKeyId: change.keyId,
          renewalWarning: null,
          version: { increment: 1 },
        },
      });
      return count === 1;
    },
    async switched() {},
    async blocked(db, _state, _now, detail) {
      if (warning === detail) return;
      await db.$transaction(async (tx) => {
        const { count } = await tx.delegatedApp.updateMany({ where: guarded(), data: { renewalWarning: detail } });
        if (count === 0) return;
        await recordAudit(tx, {
          actor: null,
          action: "delegated-app.renewal-blocked",
          target: { type: "delegated-app", id: "1", label: clientId },
          summary: `Calsync could not renew the mailbox sign-in app's certificate: ${detail}`,
        });
      });
      warning = detail;
    },
    audit: { action: "delegated-app.renew-certificate", target: { type: "delegated-app", id: "1", label: "" }, subject: () => "the mailbox sign-in app" },
    meanwhile: "people's mailbox sign-ins keep working",
    forget: () => {},
  };
}
