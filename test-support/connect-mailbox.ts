import { beforeAll, expect } from "vitest";
import { demo } from "@/simulator/demo-ids";
import type { KeyRing } from "@/lib/crypto/seal";
import type { Database } from "@/lib/db/client";
import type { AppPrismaClient } from "@/lib/db/types";
import { saveDelegatedApp } from "@/lib/delegated/delegated-app";
import type { DelegatedAppInput } from "@/lib/delegated/delegated-app-schema";
import { completeMailboxSignIn, startMailboxSignIn } from "@/lib/delegated/sign-in";
import type { ConsoleUser } from "@/test-support/console-users";
import { microsoftSignIn, type MicrosoftSignInOptions } from "@/test-support/microsoft-sign-in";

/** The demo tenant's healthy app as the operator would enter it: first save, client secret. */
export const signInAppInput: DelegatedAppInput = {
  cloud: "custom",
  clientId: demo.apps.healthy.clientId,
  homeTenant: demo.contoso.id,
  audience: "organization",
  credentialKind: "secret",
  clientSecret: demo.apps.healthy.secret,
  expectedVersion: 0,
};

/**
 * Saves the mailbox sign-in app. Saving verifies it at the simulator, so a scenario that breaks the
 * app fails here, loudly, rather than as a puzzling sign-in later.
 */
export async function saveSignInApp(db: AppPrismaClient, ring: KeyRing, admin: ConsoleUser): Promise<void> {
  const saved = await saveDelegatedApp(db, ring, signInAppInput, { actor: admin });
  expect(saved.saved).toBe(true);
}

/** Saves the sign-in app once for the suite, after `admin` exists (call it after `createUserForSuite`). */
export function saveSignInAppForSuite(database: Database, ring: KeyRing, admin: ConsoleUser): void {
  beforeAll(async () => {
    await saveSignInApp(database.prisma, ring, admin);
  });
}

/** Starts a mailbox sign-in as `user` and signs in at Microsoft as `login`; the callback is not completed. */
export async function signInAtMicrosoft(
  db: AppPrismaClient,
  ring: KeyRing,
  user: { id: string },
  login: string,
  options: MicrosoftSignInOptions & { reconnectId?: string } = {},
) {
  const started = await startMailboxSignIn(db, ring, { userId: user.id, ...(options.reconnectId ? { reconnectId: options.reconnectId } : {}) });
  const params = await microsoftSignIn(started.url, login, options);
  return { ...started, params };
}

/** Connects (or reconnects) the mailbox of `login` for `user` through the whole sign-in flow. */
export async function connectMailbox(
  db: AppPrismaClient,
  ring: KeyRing,
  user: ConsoleUser,
  login: string,
  options: { reconnectId?: string; mfa?: "mfa-approve"; ip?: string } = {},
) {
  const { params } = await signInAtMicrosoft(db, ring, user, login, options);
  const outcome = await completeMailboxSignIn(db, ring, { userId: user.id, params, actor: user, ...(options.ip ? { ip: options.ip } : {}) });
  if (outcome.kind !== "connected") throw new Error(`could not connect ${login}: ${JSON.stringify(outcome)}`);
  return outcome;
}
