import { ServerError } from "@azure/msal-node";
import { PrismaPg } from "@prisma/adapter-pg";
import { describe, expect, it } from "vitest";
import { createPrismaClient } from "@/lib/db/client";
import { errorReason } from "@/lib/errors";

describe("errorReason", () => {
  it("takes the first line of a message and masks a database URL in it", () => {
    expect(errorReason(new Error("connect failed for postgresql://calsync:hunter2@db:5432/calsync\nquery arguments: secret"))).toBe(
      "connect failed for <DATABASE_URL>",
    );
  });

  it("names Prisma's code when its message starts with a blank line", async () => {
    const prisma = createPrismaClient(new PrismaPg({ connectionString: "postgresql://calsync:hunter2@127.0.0.1:9/calsync" }));
    try {
      const failure = await prisma.$queryRaw`SELECT 1`.catch((error: unknown) => error);
      expect((failure as Error).message.split("\n")[0]).toBe("");
      expect(errorReason(failure)).toBe((failure as { code: string }).code);
      expect(errorReason(failure)).toMatch(/^P\d{4}$/);
    } finally {
      await prisma.$disconnect();
    }
  });

  it("names Microsoft's error code when MSAL gives no message", () => {
    expect(errorReason(new ServerError("temporarily_unavailable", ""))).not.toBe("");
    const silent = new ServerError("", "");
    silent.errorCode = "invalid_client";
    expect(errorReason(silent)).toBe("invalid_client");
  });

  it("names the code of a connect error that carries no message", () => {
    const refused = Object.assign(new AggregateError([Object.assign(new Error("connect ECONNREFUSED ::1:5432"), { code: "ECONNREFUSED" })], ""), { code: "ECONNREFUSED" });
    expect(errorReason(refused)).toBe("ECONNREFUSED");
    expect(errorReason(new AggregateError([new Error("connect ECONNREFUSED ::1:5432")], ""))).toBe("connect ECONNREFUSED ::1:5432");
  });

  it("is never empty", () => {
    expect(errorReason(new Error(""))).toBe("Error");
    expect(errorReason(undefined)).toBe("unknown error");
    expect(errorReason("")).toBe("unknown error");
    expect(errorReason({})).toBe("unknown error");
  });
});
