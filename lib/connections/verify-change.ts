import "server-only";
import { checkFormat } from "@/lib/checks/format";
import { runChecks } from "@/lib/checks/run-checks";
import type { CheckInput, CheckReport } from "@/lib/checks/schema";
import { UserFacingError } from "@/lib/errors";

/**
 * Verifies changed settings or a new secret before anything is stored: a change that makes a check
 * fail is refused, and the old values stay in use. The failures are listed in the message.
 */
export async function verifyConnectionChange(input: CheckInput): Promise<{ report: CheckReport; cleanedSecret: string }> {
  const report = await runChecks(input);
  if (!report.ok) {
    const failures = report.checks.filter((check) => check.status === "fail");
    const listed = failures.map((check) => `${check.title}: ${check.detail}${check.fix ? ` ${check.fix.text}` : ""}`).join(" ");
    throw new UserFacingError(`Not saved: the verification failed, so the current settings stay in use. ${listed}`, {
      ...(failures.some((check) => check.fix?.step === "client-secret") ? { clientSecret: failures.find((check) => check.fix?.step === "client-secret")!.title } : {}),
    });
  }
  // Kept apart from the report, which is stored as it is.
  return { report, cleanedSecret: checkFormat(input).cleaned.clientSecret };
}
