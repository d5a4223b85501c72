import { describe, expect, it } from "vitest";
import { claimConsole, issueSetupCode, MAX_SETUP_CODE_FAILURES, WRONG_SETUP_CODE } from "@/lib/auth/setup";
import { testEngines } from "@/test-support/databases";
import { openDatabaseForSuite } from "@/test-support/engine-database";

describe.each(testEngines())("setup code on $name", (engine) => {
  const database = openDatabaseForSuite(engine);

  it("stops an address that guesses wrong ten times, while the code keeps working for everyone else", async () => {
    const code = (await issueSetupCode(database.prisma))!;
    const input = { email: "first@example.com", displayName: "First Admin", password: "correct horse battery staple" };
    expect(MAX_SETUP_CODE_FAILURES).toBe(10);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await expect(claimConsole(database.prisma, { ...input, code: "WRON-GCOD-E234", ip: "198.51.100.66" })).rejects.toThrow(WRONG_SETUP_CODE);
    }
    // The guessing address is refused even with the right code…
    await expect(claimConsole(database.prisma, { ...input, code, ip: "198.51.100.66" })).rejects.toThrow(/Too many wrong setup codes from your address/);
    expect(await database.prisma.user.count()).toBe(0);
    // …and the person at the console's own log claims it without a restart.
    const claimed = await claimConsole(database.prisma, { ...input, code, ip: "192.0.2.1" });
    expect(claimed.email).toBe(input.email);
  });
});
