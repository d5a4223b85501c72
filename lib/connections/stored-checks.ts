import "server-only";
import type { CheckPipelineOptions } from "@/lib/checks/check-kit";
import { runChecks } from "@/lib/checks/run-checks";
import type { CheckInput, CheckReport } from "@/lib/checks/schema";
import { connectionCheckInput } from "@/lib/connections/connections";
import type { KeyRing } from "@/lib/crypto/seal";
import type { DbClient } from "@/lib/db/types";
import { runMailboxChecks } from "@/lib/delegated/mailbox-checks";

export type OrganizationCheckRunner = (input: CheckInput, options: CheckPipelineOptions) => Promise<CheckReport>;

/**
 * Re-checks a stored connection, whichever kind: an organisation's app with its client secret, or a
 * member's mailbox with their saved sign-in. Null when the connection no longer exists.
 */
export async function runStoredConnectionChecks(
  db: DbClient,
  ring: KeyRing,
  id: string,
  options: CheckPipelineOptions & { runOrganizationChecks?: OrganizationCheckRunner } = {},
): Promise<CheckReport | null> {
  const row = await db.connection.findUnique({ where: { id }, select: { kind: true } });
  if (!row) return null;
  if (row.kind === "mailbox") return runMailboxChecks(db, ring, id, options);
  const input = await connectionCheckInput(db, ring, id);
  if (!input) return null;
  return (options.runOrganizationChecks ?? runChecks)(input, options);
}
