// The organisation `npm run demo` shows, seeded once into the demo's own database through the console's
// data-access functions, against the simulator the demo started: three console accounts, organisation
// connections in every state with weeks of check history, the mailbox sign-in app with two mailboxes
// connected by real sign-ins, and an API key. scripts/demo.ts runs it (tsx --conditions=react-server)
// before the console starts, because the embedded database opens in one process at a time. It prints
// one JSON line: the accounts with their passwords and the API key, which the demo prints once.
import { randomInt, randomUUID } from "node:crypto";
import { apiScopes } from "@/lib/auth/access-policy";
import type { Role } from "@/lib/auth/roles";
import { passwordProblem, personalWords } from "@/lib/auth/password-policy";
import { confirmTotp, pendingTotpEnrolment, recoveryCodesAfterEnrolment } from "@/lib/auth/mfa/factors";
import { saveMfaPolicy } from "@/lib/auth/mfa/policy";
import { currentTotpCode } from "@/lib/auth/mfa/totp-codes";
import { createUser } from "@/lib/auth/users";
import { createApiKey } from "@/lib/api/api-keys";
import { runChecks } from "@/lib/checks/run-checks";
import type { CheckInput, CheckReport } from "@/lib/checks/schema";
import { createConnection, importUncheckedConnection } from "@/lib/connections/connections";
import { loadKeyRing } from "@/lib/crypto/key-store";
import type { KeyRing } from "@/lib/crypto/seal";
import { databaseTargetFromEnv, openDatabase } from "@/lib/db/client";
import type { AppPrismaClient } from "@/lib/db/types";
import { saveDelegatedApp } from "@/lib/delegated/delegated-app";
import { runMailboxChecks } from "@/lib/delegated/mailbox-checks";
import { completeMailboxSignIn, startMailboxSignIn } from "@/lib/delegated/sign-in";
import { getEnv } from "@/lib/env";
import { recordCheckRun, type CheckTrigger } from "@/lib/monitoring/check-runs";
import { signInThroughForm } from "@/simulator/browser-sign-in";
import { demo } from "@/simulator/demo-ids";
import { DEMO_EXPIRED_SECRET_DAYS_AGO, DEMO_EXPIRING_SECRET_DAYS } from "@/simulator/demo-scenario";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** The first run of the demo may share the machine with its first build: Microsoft's answers may be slow. */
const SEED_CHECK_OPTIONS = { timeoutMs: 60_000 };

export type DemoAccount = { role: Role; email: string; displayName: string; password: string; totpUri?: string };

/** Console accounts: helpdesk and the member are Contoso people whose Microsoft mailboxes are connected. */
const people: ReadonlyArray<Omit<DemoAccount, "password">> = [
  { role: "admin", email: "admin@contoso.com", displayName: "Contoso Admin" },
  { role: "helpdesk", email: demo.users.megan.upn, displayName: "Megan Bowen" },
  { role: "member", email: demo.users.lynne.upn, displayName: "Lynne Robbins" },
  // Shows the second sign-in step: the demo prints this account's otpauth:// URI for an authenticator app.
  { role: "admin", email: "secure-admin@contoso.com", displayName: "Sam Secure" },
];

/** Readable and unguessable; drawn again in the rare case the password policy refuses one. */
function newPassword(about: ReadonlyArray<string>): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  for (;;) {
    const password = Array.from({ length: 4 }, () => Array.from({ length: 5 }, () => alphabet[randomInt(alphabet.length)]).join("")).join("-");
    if (passwordProblem(password, personalWords(...about)) === null) return password;
  }
}

function daysFromNow(days: number, now: Date): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

type OrganisationStory = {
  name: string;
  app: { clientId: string; secret: string };
  /** When the admin saved it, in days before the seed. */
  createdDaysAgo: number;
  /** When its checks started to report what they report today; healthy before. */
  changedDaysAgo?: number;
  secretExpiresAt: Date;
};

function organisationStories(now: Date): OrganisationStory[] {
  return [
    { name: "Contoso headquarters", app: demo.apps.healthy, createdDaysAgo: 28, secretExpiresAt: daysFromNow(270, now) },
    // Someone granted Mail.Read on top: more than the sync needs (least privilege).
    { name: "Contoso retail stores", app: demo.apps.extraRoles, createdDaysAgo: 24, changedDaysAgo: 9, secretExpiresAt: daysFromNow(200, now) },
    {
      name: "Contoso sales team",
      app: demo.apps.expiredSecret,
      createdDaysAgo: 26,
      changedDaysAgo: DEMO_EXPIRED_SECRET_DAYS_AGO,
      secretExpiresAt: daysFromNow(-DEMO_EXPIRED_SECRET_DAYS_AGO, now),
    },
    { name: "Contoso field service", app: demo.apps.consentRemoved, createdDaysAgo: 18, changedDaysAgo: 6, secretExpiresAt: daysFromNow(300, now) },
    { name: "Contoso front desk", app: demo.apps.secretExpiring, createdDaysAgo: 14, secretExpiresAt: daysFromNow(DEMO_EXPIRING_SECRET_DAYS, now) },
  ];
}

function checkInput(app: { clientId: string; secret: string }): CheckInput {
  return { cloud: "custom", tenant: demo.contoso.domain, clientId: app.clientId, clientSecret: app.secret, mailboxScope: { kind: "all" }, testMailbox: demo.users.adele.upn };
}

/** A report as it would have been at `at`: Microsoft's ids and timestamps are per request. */
function restamped(report: CheckReport, at: Date): CheckReport {
  return {
    ...report,
    startedAt: at.toISOString(),
    checks: report.checks.map((check) => ({
      ...check,
      ...(check.correlationId ? { correlationId: randomUUID() } : {}),
      ...(check.timestamp ? { timestamp: at.toISOString() } : {}),
    })),
  };
}

async function seedOrganisations(db: AppPrismaClient, ring: KeyRing, admin: DemoAccount & { id: string }, now: Date): Promise<void> {
  const env = getEnv();
  const intervalMs = env.CALSYNC_CHECK_INTERVAL_MINUTES * 60_000;
  const actor = { id: admin.id, email: admin.email };
  const healthyReport = await runChecks(checkInput(demo.apps.healthy), SEED_CHECK_OPTIONS);
  if (!healthyReport.ok) throw new Error(`the demo's healthy app does not verify: ${JSON.stringify(healthyReport.checks.filter((check) => check.status === "fail"))}`);

  for (const story of organisationStories(now)) {
    const today = await runChecks(checkInput(story.app), SEED_CHECK_OPTIONS);
    const unreachable = today.checks.find((check) => check.who === "us");
    if (unreachable) throw new Error(`checking ${story.name} failed on our side (${unreachable.code ?? unreachable.title}); run npm run demo -- --reset again`);
    const createdAt = new Date(now.getTime() - story.createdDaysAgo * DAY_MS);
    const changedAt = story.changedDaysAgo === undefined ? createdAt : new Date(now.getTime() - story.changedDaysAgo * DAY_MS);
    const reportAt = (at: Date) => restamped(at < changedAt ? healthyReport : today, at);
    const connection = await createConnection(
      db,
      ring,
      {
        name: story.name,
        cloud: "custom",
        tenant: demo.contoso.domain,
        clientId: story.app.clientId,
        clientSecret: story.app.secret,
        secretExpiresAt: story.secretExpiresAt,
        mailboxScope: { kind: "all" },
        testMailbox: demo.users.adele.upn,
        outOfScopeMailbox: null,
        writeTest: false,
        report: reportAt(createdAt),
      },
      { actor },
      { now: createdAt },
    );
    // The scheduler's runs since then; the last one is overdue, so the console re-checks it for real at start.
    for (let at = createdAt.getTime() + intervalMs; at < now.getTime() - HOUR_MS; at += intervalMs) {
      const when = new Date(at + randomInt(-10, 10) * 60_000);
      await recordCheckRun(db, { connectionId: connection.id, report: reportAt(when), trigger: "scheduled", recordedAt: when });
    }
  }

  await importUncheckedConnection(
    db,
    ring,
    {
      name: "Contoso new office",
      cloud: "custom",
      tenant: demo.contoso.domain,
      tenantId: demo.contoso.id,
      clientId: demo.apps.newOffice.clientId,
      clientSecret: demo.apps.newOffice.secret,
      secretExpiresAt: daysFromNow(365, now),
      mailboxScope: { kind: "all" },
      testMailbox: demo.users.adele.upn,
      outOfScopeMailbox: null,
      writeTest: false,
      // Far ahead, so it stays "never checked" until someone runs its checks.
      firstCheckAt: daysFromNow(90, now),
    },
    { actor },
  );
}

/** Connects `login`'s mailbox for `owner` through the same sign-in a person does, and checks it. */
async function connectMailbox(db: AppPrismaClient, ring: KeyRing, owner: DemoAccount & { id: string }, login: string, trigger: CheckTrigger): Promise<string> {
  const { url } = await startMailboxSignIn(db, ring, { userId: owner.id });
  const answer = await signInThroughForm(url, { login, password: demo.password, mfa: "mfa-approve" });
  const outcome = await completeMailboxSignIn(db, ring, { userId: owner.id, params: answer.searchParams, actor: { id: owner.id, email: owner.email } });
  if (outcome.kind !== "connected") throw new Error(`could not connect the mailbox of ${login}: ${outcome.kind}`);
  await recheckMailbox(db, ring, outcome.connectionId, trigger);
  return outcome.connectionId;
}

async function recheckMailbox(db: AppPrismaClient, ring: KeyRing, connectionId: string, trigger: CheckTrigger): Promise<void> {
  const report = await runMailboxChecks(db, ring, connectionId, SEED_CHECK_OPTIONS);
  if (!report) throw new Error(`mailbox connection ${connectionId} vanished`);
  await recordCheckRun(db, { connectionId, report, trigger });
}

/** What an administrator does after a password reset: Graph's revokeSignInSessions, with the identity tools app. */
async function revokeSignInSessions(upn: string): Promise<void> {
  const { CALSYNC_AUTHORITY_HOST: authority, CALSYNC_GRAPH_HOST: graph } = getEnv();
  const tokenResponse = await fetch(`${authority}/${demo.contoso.id}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: demo.apps.identityTools.clientId,
      client_secret: demo.apps.identityTools.secret,
      scope: `${graph}/.default`,
    }),
  });
  const { access_token: accessToken } = (await tokenResponse.json()) as { access_token?: string };
  if (!accessToken) throw new Error(`the identity tools app got no token (${tokenResponse.status})`);
  const revoked = await fetch(`${graph}/v1.0/users/${encodeURIComponent(upn)}/revokeSignInSessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}` },
  });
  if (!revoked.ok) throw new Error(`revokeSignInSessions for ${upn} answered ${revoked.status}`);
}

async function seedAuthenticatorApp(db: AppPrismaClient, ring: KeyRing, account: { id: string; email: string }, now: Date): Promise<string> {
  const enrolment = await pendingTotpEnrolment(db, ring, account, now);
  // Confirmed with the previous period's code (still accepted): a code counts once, and the current
  // one must stay usable for whoever signs in with the printed URI in the next seconds.
  const confirmed = enrolment && (await confirmTotp(db, ring, account.id, currentTotpCode(enrolment.secret, new Date(now.getTime() - 30_000)), now));
  if (!enrolment || !confirmed) throw new Error("the demo's authenticator app did not set up");
  await recoveryCodesAfterEnrolment(db, account.id, now);
  return enrolment.uri;
}

async function main(): Promise<void> {
  const env = getEnv();
  const database = await openDatabase(databaseTargetFromEnv(env));
  try {
    const db = database.prisma;
    const ring = await loadKeyRing(env, database.sql);
    if ((await db.user.count()) > 0) throw new Error(`${env.dataDir} already holds a console; the demo seeds only an empty one`);
    const now = new Date();

    const accounts: (DemoAccount & { id: string })[] = [];
    for (const person of people) {
      const password = newPassword([person.email, person.displayName]);
      const user = await createUser(db, { ...person, password }, { actor: null });
      accounts.push({ ...person, password, id: user.id });
    }
    const [admin, helpdesk, member, secureAdmin] = accounts as [DemoAccount & { id: string }, DemoAccount & { id: string }, DemoAccount & { id: string }, DemoAccount & { id: string }];
    // MFA stays optional in the demo, so every printed account signs in with its password; one has an app.
    await saveMfaPolicy(db, { requireAll: false, requireAdmins: false }, { actor: null });
    secureAdmin.totpUri = await seedAuthenticatorApp(db, ring, secureAdmin, now);

    await seedOrganisations(db, ring, admin, now);

    const saved = await saveDelegatedApp(
      db,
      ring,
      {
        cloud: "custom",
        clientId: demo.apps.mailboxSignIn.clientId,
        homeTenant: demo.contoso.id,
        audience: "organization",
        credentialKind: "secret",
        clientSecret: demo.apps.mailboxSignIn.secret,
        secretExpiresAt: daysFromNow(330, now),
        expectedVersion: 0,
      },
      { actor: { id: admin.id, email: admin.email } },
    );
    if (!saved.saved) throw new Error(`the demo's mailbox sign-in app does not verify: ${JSON.stringify(saved.checks.filter((check) => check.status === "fail"))}`);

    await connectMailbox(db, ring, helpdesk, demo.users.megan.upn, "wizard");
    // Lynne's mailbox worked until her sessions were revoked; its next check asks her to sign in again.
    const lynne = await connectMailbox(db, ring, member, demo.users.lynne.upn, "wizard");
    await revokeSignInSessions(demo.users.lynne.upn);
    await recheckMailbox(db, ring, lynne, "scheduled");

    const { key } = await createApiKey(db, { name: "Sync engine (demo)", scopes: [...apiScopes], expiresAt: null }, { actor: { id: admin.id, email: admin.email } });
    process.stdout.write(`${JSON.stringify({ accounts: accounts.map(({ id: _id, ...account }) => account), apiKey: key })}\n`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`The demo could not be seeded: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
