import { beforeAll } from "vitest";
import type { Role } from "@/lib/auth/roles";
import type { Database } from "@/lib/db/client";

/** A console account as the audit and sign-in code take it (an actor: id and email). */
export type ConsoleUser = { id: string; email: string };

/**
 * A console account (without a password: the suites act as it, they never log in) created in the
 * suite's database before its tests. Call it after `openDatabaseForSuite`, whose hook must run first.
 * The object is filled in place rather than replaced, so the suite can hold it from the start.
 */
export function createUserForSuite(database: Database, email: string, displayName: string, role: Role): ConsoleUser {
  const user: ConsoleUser = { id: "", email };
  beforeAll(async () => {
    Object.assign(user, await database.prisma.user.create({ data: { email, displayName, role }, select: { id: true, email: true } }));
  });
  return user;
}
