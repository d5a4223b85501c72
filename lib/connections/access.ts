import "server-only";
import type { Role } from "@/lib/auth/roles";
import type { DbClient } from "@/lib/db/types";

/**
 * Which connection a caller may act on, beyond the role check of the access policy. A member learns
 * nothing about connections that are not their own, not even that they exist, so every refusal here
 * looks the same as a missing connection.
 */

type Caller = { id: string; role: Role };

/**
 * "Run checks now": staff may re-verify any connection (checks change no settings); a member only a
 * mailbox they connected themselves.
 */
export async function mayRunConnectionChecks(db: DbClient, caller: Caller, connectionId: string): Promise<boolean> {
  const connection = await db.connection.findUnique({ where: { id: connectionId }, select: { kind: true, ownerId: true } });
  if (!connection) return false;
  return caller.role !== "member" || (connection.kind === "mailbox" && connection.ownerId === caller.id);
}

/** Disconnecting a mailbox: an administrator may disconnect any; anyone else only their own. */
export function mailboxDisconnectScope(caller: Caller): { ownerId?: string } {
  return caller.role === "admin" ? {} : { ownerId: caller.id };
}
