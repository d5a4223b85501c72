import { PrismaPg } from "@prisma/adapter-pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { runAction } from "@/lib/auth/run-action";
import { createPrismaClient, openDatabase, useDatabase } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";

// A signed-in browser: the session cookie makes every action look its caller up in the database.
vi.mock("next/headers", () => ({
  cookies: async () => ({ get: () => ({ name: "calsync_session", value: "a-session-token-of-thirty-two-chars" }) }),
  headers: async () => new Headers(),
}));

const unreachable = "postgresql://calsync:hunter2-db-password@127.0.0.1:9/calsync";
const schema = z.object({ displayName: z.string(), password: z.string() });

function typedForm(): FormData {
  const form = new FormData();
  form.set("displayName", "Typed name");
  form.set("password", "typed password");
  return form;
}

describe("server actions while the database is not answering", () => {
  afterEach(() => {
    delete process.env.DATABASE_URL;
    resetEnvCache();
    useDatabase(undefined);
  });

  it("say so, run nothing and keep what was typed, when the caller cannot even be looked up", async () => {
    process.env.DATABASE_URL = unreachable;
    resetEnvCache();
    useDatabase(undefined);
    const handler = vi.fn(async () => ({ status: "success" as const, message: "done" }));
    const state = await runAction("changePasswordAction", schema, typedForm(), handler);
    expect(handler).not.toHaveBeenCalled();
    expect(state).toMatchObject({ status: "error", code: "unavailable", values: { displayName: "Typed name" } });
    expect(state.status === "error" && state.message).toMatch(/^The database is not answering/);
    expect(JSON.stringify(state)).not.toContain("typed password");
    expect(JSON.stringify(state)).not.toContain("hunter2");
  });

  it("say so when the database stops answering while the action runs", async () => {
    const started = await openDatabase({ kind: "pglite" });
    useDatabase(started);
    const goneAway = createPrismaClient(new PrismaPg({ connectionString: unreachable }));
    try {
      const state = await runAction("signInAction", schema, typedForm(), async () => {
        await goneAway.user.count();
        return { status: "success", message: "done" };
      });
      expect(state).toMatchObject({ status: "error", code: "unavailable" });
      expect(state.status === "error" && state.message).toMatch(/^The database is not answering/);
      expect(JSON.stringify(state)).not.toContain("hunter2");
    } finally {
      await goneAway.$disconnect();
      await started.close();
    }
  });
});
