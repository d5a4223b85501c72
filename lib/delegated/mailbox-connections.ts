import "server-only";
import { randomUUID } from "node:crypto";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { forgetConnectionRead } from "@/lib/connections/read-cache";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import type { CloudId } from "@/lib/entra/clouds";
import { getEnv } from "@/lib/env";
import { UserFacingError } from "@/lib/errors";
import type { SignedInAccount } from "@/lib/delegated/msal-delegated";

/**
 * Mailbox connections: one member's own calendar, reached with their delegated sign-in. msal's token
 * cache (refresh token included) is sealed to the connection's row; the console opens it only to mint
 * tokens. Reconnecting replaces the cache in place, so the id the sync engine holds stays valid.
 */

export function tokenCacheContext(connectionId: string): string {
  return sealContext("connections", "token_cache_sealed", connectionId);
}

/**
 * One connection per Microsoft account: signing in again with the same account reconnects it, also
 * after the operator switched to another sign-in app (the reconnect then moves it to that app).
 */
export function mailboxDedupeKey(account: Pick<SignedInAccount, "tenantId" | "objectId">): string {
  return `mailbox:${account.tenantId}:${account.objectId}`;
}

export type MailboxConnectionSummary = {
  id: string;
  name: string;
  accountUpn: string | null;
  state: string;
  stateSince: Date;
  lastCheckedAt: Date | null;
  createdAt: Date;
};

export async function listOwnedMailboxes(db: DbClient, ownerId: string): Promise<MailboxConnectionSummary[]> {
  return db.connection.findMany({
    where: { kind: "mailbox", ownerId },
    orderBy: { createdAt: "asc" },
    select: { id: true, name: true, accountUpn: true, state: true, stateSince: true, lastCheckedAt: true, createdAt: true },
  });
}

export type ConnectMailboxInput = {
  ownerId: string;
  account: SignedInAccount;
  cacheJson: string;
  cloudId: CloudId;
  clientId: string;
  /** Reconnect this connection (keeps its id); otherwise a new one, or the account's existing one. */
  reconnectId?: string | null;
  writeTest?: boolean;
};

/**
 * Saves a completed sign-in. The same Microsoft account reconnects its existing connection rather
 * than adding a second one; a reconnect link for one mailbox refuses a different account, because the
 * engine syncs the calendar it was set up for.
 */
export async function connectMailbox(
  tx: DbClient,
  ring: KeyRing,
  input: ConnectMailboxInput,
  context: { actor: AuditActor & object; ip?: string | null },
): Promise<{ id: string; reconnected: boolean }> {
  const key = mailboxDedupeKey(input.account);
  const byAccount = await tx.connection.findUnique({ where: { dedupeKey: key }, select: { id: true, ownerId: true, accountUpn: true } });
  let targetId: string | null = null;
  if (input.reconnectId) {
    const target = await tx.connection.findFirst({ where: { id: input.reconnectId, kind: "mailbox" }, select: { id: true, dedupeKey: true, accountUpn: true } });
    if (!target) throw new UserFacingError("The connection to reconnect no longer exists. Connect your calendar again from the start.");
    if (target.dedupeKey !== key) {
      throw new UserFacingError(
        `You signed in as ${input.account.username}, but this connection is for ${target.accountUpn ?? "another account"}. Sign in with that account to reconnect it.`,
      );
    }
    targetId = target.id;
  } else if (byAccount) {
    if (byAccount.ownerId && byAccount.ownerId !== input.ownerId) {
      throw new UserFacingError(`The mailbox ${byAccount.accountUpn ?? input.account.username} is already connected by someone else. Ask helpdesk for help.`);
    }
    targetId = byAccount.id;
  }

  const now = new Date();
  const id = targetId ?? randomUUID();
  const settings = {
    cloud: input.cloudId,
    tenant: input.account.tenantId,
    tenantId: input.account.tenantId,
    clientId: input.clientId,
    accountUpn: input.account.username,
    accountHomeId: input.account.homeAccountId,
    tokenCacheSealed: ring.seal(input.cacheJson, tokenCacheContext(id)),
    mailboxScope: { kind: "list", mailboxes: [input.account.username] },
    testMailbox: input.account.username,
    // The checks run right after this; the next scheduled one is an interval away.
    nextCheckAt: new Date(now.getTime() + getEnv().CALSYNC_CHECK_INTERVAL_MINUTES * 60_000),
  };
  forgetConnectionRead(id);
  if (targetId) {
    await tx.connection.update({
      where: { id },
      data: { ...settings, ownerId: input.ownerId, ...(input.writeTest !== undefined ? { writeTest: input.writeTest } : {}), version: { increment: 1 } },
      select: { id: true },
    });
  } else {
    await tx.connection.create({
      data: {
        id,
        name: input.account.name ? `${input.account.name} (${input.account.username})` : input.account.username,
        kind: "mailbox",
        dedupeKey: key,
        ...settings,
        writeTest: input.writeTest ?? false,
        state: "never_checked",
        stateSince: now,
        ownerId: input.ownerId,
        createdById: input.ownerId,
      },
      select: { id: true },
    });
  }
  await recordAudit(tx, {
    actor: context.actor,
    action: targetId ? "mailbox.reconnect" : "mailbox.connect",
    target: { type: "connection", id, label: input.account.username },
    summary: `${targetId ? "Reconnected" : "Connected"} the mailbox ${input.account.username} (tenant ${input.account.tenantId}) by Microsoft sign-in`,
    ip: context.ip,
  });
  return { id, reconnected: targetId !== null };
}

export type SealedTokenCache = { id: string; cacheJson: string; sealed: string; homeAccountId: string; tenantId: string };

export async function openTokenCache(db: DbClient, ring: KeyRing, id: string): Promise<SealedTokenCache | null> {
  const row = await db.connection.findUnique({ where: { id }, select: { tokenCacheSealed: true, accountHomeId: true, tenantId: true, kind: true } });
  if (!row || row.kind !== "mailbox" || !row.tokenCacheSealed || !row.accountHomeId) return null;
  return { id, cacheJson: ring.open(row.tokenCacheSealed, tokenCacheContext(id)), sealed: row.tokenCacheSealed, homeAccountId: row.accountHomeId, tenantId: row.tenantId };
}

/**
 * Writes back a cache msal renewed. Only over the cache it was read from: if a reconnect or a
 * disconnect happened meanwhile, theirs wins (a refresh must never resurrect a removed sign-in).
 */
export async function storeRenewedTokenCache(db: DbClient, ring: KeyRing, previous: SealedTokenCache, cacheJson: string): Promise<boolean> {
  const { count } = await db.connection.updateMany({
    where: { id: previous.id, tokenCacheSealed: previous.sealed },
    data: { tokenCacheSealed: ring.seal(cacheJson, tokenCacheContext(previous.id)) },
  });
  return count === 1;
}

/** Disconnect: the connection and its tokens are deleted; the audit log keeps who did it. */
export async function disconnectMailbox(
  tx: DbClient,
  id: string,
  context: { actor: AuditActor & object; ip?: string | null; ownerId?: string },
): Promise<void> {
  const row = await tx.connection.findFirst({
    where: { id, kind: "mailbox", ...(context.ownerId ? { ownerId: context.ownerId } : {}) },
    select: { id: true, accountUpn: true },
  });
  if (!row) throw new UserFacingError("This mailbox connection no longer exists.");
  forgetConnectionRead(id);
  await tx.connection.delete({ where: { id }, select: { id: true } });
  await recordAudit(tx, {
    actor: context.actor,
    action: "mailbox.disconnect",
    target: { type: "connection", id, label: row.accountUpn ?? id },
    summary: `Disconnected the mailbox ${row.accountUpn ?? id}; its saved Microsoft sign-in was deleted`,
    ip: context.ip,
  });
}
