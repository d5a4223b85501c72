import pg from "pg";
import { describe, expect, it } from "vitest";
import { Prisma } from "@/lib/db/generated/client";
import { asDatabaseUnavailable, DATABASE_UNAVAILABLE_DIGEST, DatabaseUnavailableError, isDatabaseUnavailable } from "@/lib/db/unavailable";
import { UserFacingError } from "@/lib/errors";

/**
 * Which failures mean "the database is not answering". The errors below are built with the drivers'
 * own classes and messages; lib/db/postgres-pool.test.ts produces the real ones from a frozen server.
 */

const prismaError = (code: string, message: string, meta?: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion: "7", meta });

const postgresError = (code: string, message: string) => Object.assign(new pg.DatabaseError(message, 0, "error"), { code });

describe("isDatabaseUnavailable", () => {
  it.each([
    ["node-postgres's query timeout", new Error("Query read timeout")],
    ["a connection attempt that timed out", new Error("Connection terminated due to connection timeout", { cause: new Error("Connection terminated unexpectedly") })],
    ["no pooled connection in time", new Error("timeout exceeded when trying to connect")],
    ["a connection lost under a query", new Error("Connection terminated unexpectedly")],
    ["a client closed after a timeout", new Error("Client was closed and is not queryable")],
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED", syscall: "connect", errno: -111 })],
    ["a refused dual-stack connection", new AggregateError([Object.assign(new Error("connect ECONNREFUSED ::1:5432"), { code: "ECONNREFUSED" })], "")],
    ["Prisma: server unreachable", prismaError("P1001", "Can't reach database server at db:5432")],
    ["Prisma: no pooled connection in time", prismaError("P2024", "Timed out fetching a new connection from the connection pool.")],
    ["Prisma: a raw query that could not reach the server", prismaError("P2010", "\nInvalid `prisma.$queryRaw()` invocation:", { code: "N/A", message: "Can't reach database server at 127.0.0.1:9" })],
    ["PostgreSQL shutting down", postgresError("57P01", "terminating connection due to administrator command")],
    ["PostgreSQL starting up", postgresError("57P03", "the database system is starting up")],
    ["PostgreSQL: too many connections", postgresError("53300", "sorry, too many clients already")],
    ["PostgreSQL: connection failure", postgresError("08006", "connection failure")],
    ["the console's own error", new DatabaseUnavailableError("The database is not answering: Query read timeout")],
    ["the same error after crossing a serialisation boundary", Object.assign(new Error("hidden"), { digest: DATABASE_UNAVAILABLE_DIGEST })],
  ])("recognises %s", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ["a unique violation", prismaError("P2002", "Unique constraint failed on the fields: (`email`)")],
    ["a record that is not there", prismaError("P2025", "An operation failed because it depends on one or more records that were required but not found.")],
    ["a raw query with bad SQL", prismaError("P2010", "\nInvalid `prisma.$queryRaw()` invocation:", { code: "42601", message: "syntax error at or near \"SELEC\"" })],
    ["a PostgreSQL constraint error", postgresError("23505", "duplicate key value violates unique constraint")],
    ["a message for the person", new UserFacingError("That email address is taken.")],
    ["any other failure", new Error("boom")],
    ["a thrown string", "Query read timeout"],
    ["nothing", undefined],
  ])("does not take %s for an unavailable database", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe("asDatabaseUnavailable", () => {
  it("wraps a driver failure with the digest the error pages look for, keeping it as the cause", () => {
    const cause = new Error("Query read timeout");
    const wrapped = asDatabaseUnavailable(cause);
    expect(wrapped).toBeInstanceOf(DatabaseUnavailableError);
    expect(wrapped?.digest).toBe(DATABASE_UNAVAILABLE_DIGEST);
    expect(wrapped?.message).toBe("The database is not answering: Query read timeout");
    expect(wrapped?.cause).toBe(cause);
  });

  it("names the code when the driver gives no message, and never the database URL", () => {
    expect(asDatabaseUnavailable(Object.assign(new AggregateError([], ""), { code: "ECONNREFUSED" }))?.message).toBe("The database is not answering: ECONNREFUSED");
    expect(asDatabaseUnavailable(new Error("Connection terminated unexpectedly for postgresql://calsync:hunter2@db/calsync"))?.message).not.toContain("hunter2");
  });

  it("passes the console's own error through and leaves other failures alone", () => {
    const own = new DatabaseUnavailableError("The database is not answering: ECONNRESET");
    expect(asDatabaseUnavailable(own)).toBe(own);
    expect(asDatabaseUnavailable(new Error("boom"))).toBeUndefined();
  });
});
