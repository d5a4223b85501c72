import "server-only";
import { randomUUID } from "node:crypto";
import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import { sealContext, type KeyRing } from "@/lib/crypto/seal";
import { generateToken } from "@/lib/crypto/tokens";
import type { DbClient } from "@/lib/db/types";
import { UserFacingError } from "@/lib/errors";
import { Prisma } from "@/lib/db/generated/client";
import { smtpMissingMessage, type ChannelKind, type CreateChannelInput } from "@/lib/jobs/channel-schemas";

/**
 * Notification channels: where alerts go. A webhook's signing secret is generated here, shown once
 * to the admin who created the channel, sealed and bound to its row, and opened only by the sender.
 */

export type DeliveryStatus = "pending" | "delivered" | "failed";

export type ChannelView = {
  id: string;
  kind: ChannelKind;
  name: string;
  target: string;
  onStateChange: boolean;
  onExpiry: boolean;
  enabled: boolean;
  createdAt: Date;
  lastDelivery: { status: DeliveryStatus; at: Date; attempts: number; lastError: string | null; eventKey: string } | null;
};

/** A channel as the sender needs it, with its signing secret opened. */
export type SendableChannel = { id: string; kind: ChannelKind; name: string; target: string; secret: string | null; enabled: boolean };

export function channelSecretContext(channelId: string): string {
  return sealContext("notification_channels", "secret_sealed", channelId);
}

export async function listNotificationChannels(db: DbClient): Promise<ChannelView[]> {
  const rows = await db.notificationChannel.findMany({
    orderBy: { name: "asc" },
    select: {
      id: true,
      kind: true,
      name: true,
      target: true,
      onStateChange: true,
      onExpiry: true,
      enabled: true,
      createdAt: true,
      deliveries: {
        orderBy: { id: "desc" },
        take: 1,
        select: { status: true, createdAt: true, deliveredAt: true, attempts: true, lastError: true, eventKey: true },
      },
    },
  });
  return rows.map(({ deliveries, ...row }) => {
    const last = deliveries[0];
    return {
      ...row,
      kind: row.kind as ChannelKind,
      lastDelivery: last
        ? { status: last.status as DeliveryStatus, at: last.deliveredAt ?? last.createdAt, attempts: last.attempts, lastError: last.lastError, eventKey: last.eventKey }
        : null,
    };
  });
}

export async function getSendableChannels(db: DbClient, ring: KeyRing, ids: string[]): Promise<Map<string, SendableChannel>> {
  const rows = await db.notificationChannel.findMany({
    where: { id: { in: ids } },
    select: { id: true, kind: true, name: true, target: true, secretSealed: true, enabled: true },
  });
  return new Map(
    rows.map(({ secretSealed, ...row }) => [
      row.id,
      { ...row, kind: row.kind as ChannelKind, secret: secretSealed ? ring.open(secretSealed, channelSecretContext(row.id)) : null },
    ]),
  );
}

function duplicateName(name: string): UserFacingError {
  return new UserFacingError(`A channel named “${name}” already exists. Choose another name.`, { name: "Channel names must be unique" });
}

export async function createNotificationChannel(
  db: DbClient,
  ring: KeyRing,
  input: CreateChannelInput,
  context: { actor: AuditActor; ip?: string | null; smtpConfigured: boolean },
): Promise<{ id: string; signingSecret: string | null }> {
  if (input.kind === "email" && !context.smtpConfigured) throw new UserFacingError(smtpMissingMessage, { kind: "Email needs an SMTP server first" });
  const taken = await db.notificationChannel.findFirst({ where: { name: { equals: input.name, mode: "insensitive" } }, select: { name: true } });
  if (taken) throw duplicateName(taken.name);
  const id = randomUUID();
  const signingSecret = input.kind === "webhook" ? `whsec_${generateToken(32)}` : null;
  try {
    await db.notificationChannel.create({
      data: {
        id,
        kind: input.kind,
        name: input.name,
        target: input.target,
        secretSealed: signingSecret ? ring.seal(signingSecret, channelSecretContext(id)) : null,
        onStateChange: input.onStateChange,
        onExpiry: input.onExpiry,
      },
      select: { id: true },
    });
  } catch (error) {
    // Two admins adding the same name at once: the constraint decides, and the loser hears why.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw duplicateName(input.name);
    throw error;
  }
  const fires = [input.onStateChange ? "state changes" : null, input.onExpiry ? "expiry warnings" : null].filter(Boolean).join(" and ");
  await recordAudit(db, {
    actor: context.actor,
    action: "notification_channel.create",
    target: { type: "notification_channel", id, label: input.name },
    summary: `Added ${input.kind} channel “${input.name}” to ${input.target} for ${fires}`,
    ip: context.ip,
  });
  return { id, signingSecret };
}

export async function deleteNotificationChannel(
  db: DbClient,
  input: { id: string; confirmName: string },
  context: { actor: AuditActor; ip?: string | null },
): Promise<{ name: string }> {
  const channel = await db.notificationChannel.findUnique({ where: { id: input.id }, select: { id: true, name: true, kind: true, target: true } });
  if (!channel) throw new UserFacingError("This channel no longer exists.");
  if (input.confirmName !== channel.name) {
    throw new UserFacingError("Type the channel's name exactly to confirm.", { confirmName: `Type “${channel.name}” to confirm` });
  }
  // Its queued and past deliveries go with it (cascade): nothing is left to send to a removed target.
  await db.notificationChannel.delete({ where: { id: channel.id }, select: { id: true } });
  await recordAudit(db, {
    actor: context.actor,
    action: "notification_channel.delete",
    target: { type: "notification_channel", id: channel.id, label: channel.name },
    summary: `Deleted ${channel.kind} channel “${channel.name}” (${channel.target})`,
    ip: context.ip,
  });
  return { name: channel.name };
}
