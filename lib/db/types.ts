import type { createPrismaClient } from "@/lib/db/client";

/** The console's Prisma client (with sealed columns omitted from default selects). */
export type AppPrismaClient = ReturnType<typeof createPrismaClient>;

/** Data-access functions accept either the client or a transaction, so callers can compose them. */
export type DbClient = Omit<AppPrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;
