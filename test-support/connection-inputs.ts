import type { NewConnection } from "@/lib/connections/connections";
import { appIds, contosoId, secret } from "@/test-support/check-scenario";
import { cannedReport } from "@/test-support/jobs";

/** A passing organisation connection with a client secret on the check scenario's Contoso app; `patch` changes it. */
export function secretConnectionInput(name: string, patch: Partial<NewConnection> = {}): NewConnection {
  return {
    name,
    cloud: "custom",
    tenant: contosoId,
    clientId: appIds.healthy,
    clientSecret: secret,
    secretExpiresAt: null,
    mailboxScope: { kind: "all" },
    testMailbox: null,
    outOfScopeMailbox: null,
    writeTest: false,
    report: cannedReport("pass"),
    ...patch,
  };
}
