// `npm run users:reset-mfa -- --email person@example.com`: turns off multi-factor authentication for
// one account, from the console's host. For an administrator locked out with no second factor and no
// recovery code; the reset is in the audit log. Stop the console first when it uses the embedded
// database (PGlite allows one process at a time).
import { parseArgs } from "node:util";
import { resetMfaByEmail } from "@/lib/auth/mfa/factors";
import { databaseTargetFromEnv, describeTarget, openDatabase } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { loadEnvFiles } from "@/lib/env-files";

loadEnvFiles();

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { email: { type: "string" } }, strict: true });
  if (!values.email) throw new Error("Name the account: npm run users:reset-mfa -- --email person@example.com");
  const target = databaseTargetFromEnv(getEnv());
  const database = await openDatabase(target);
  try {
    const email = await resetMfaByEmail(database.prisma, values.email);
    console.log(`Multi-factor authentication is off for ${email} in the ${describeTarget(target)}. Where it is required, they set it up again at their next sign-in.`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
