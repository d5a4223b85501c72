/**
 * "Set it up for me" from the command line: registers Calsync's app in a tenant with an
 * administrator's Graph token read from standard input, verifies it, and saves the connection.
 *
 *   az account get-access-token --resource-type ms-graph --query accessToken -o tsv | \
 *     npm run provision -- --token-stdin --tenant <id|domain> --name <display name> [--cloud …]
 *       [--credential secret|certificate] [--secret-months N] [--json] [--no-save --state FILE]
 *
 * Exit codes: 0 success, 1 failure (or stopped, or waiting for consent), 2 usage.
 * The token is never accepted as an argument (shell history, process list) and never printed.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadKeyRing } from "@/lib/crypto/key-store";
import { KeyRing } from "@/lib/crypto/seal";
import { databaseTargetFromEnv, describeTarget, openDatabase, type Database } from "@/lib/db/client";
import { defaultCloudId, resolveCloud } from "@/lib/entra/cloud-config";
import { cloudIdSchema, type Cloud } from "@/lib/entra/clouds";
import { getEnv } from "@/lib/env";
import { loadEnvFiles } from "@/lib/env-files";
import { readStdin } from "./stdin";
import { cliStateSchema, exportCliState, importCliState } from "@/lib/provisioning/cli-state";
import { MAX_SECRET_MONTHS, ProvisioningInputError, runProvisioning, startProvisioning, takeProvisionedSecret, type ProvisioningOutcome } from "@/lib/provisioning/provision";
import { getProvisioning, replaceProvisioningToken } from "@/lib/provisioning/records";
import { inspectSetupToken } from "@/lib/provisioning/setup-token";

loadEnvFiles();

const usage = `Usage: <token> | npm run provision -- --token-stdin --tenant <id|domain> --name <display name>
       [--cloud global|usgov|usgov-dod|china|custom] [--credential secret|certificate] [--secret-months N]
       [--json] [--no-save --state FILE]

  --token-stdin     read the administrator's Microsoft Graph access token from standard input, e.g.
                    az account get-access-token --resource-type ms-graph --query accessToken -o tsv
  --tenant          the tenant the token must belong to (directory ID, or a domain: then the token decides)
  --name            display name of the app to create (an existing app of that name stops the run)
  --cloud           Microsoft cloud (default: CALSYNC_CLOUD, else global)
  --credential      secret (default), or certificate: the console generates one and uploads it (a policy that
                    refuses secrets gets a certificate either way)
  --secret-months   the credential's lifetime in months, 1-${MAX_SECRET_MONTHS} (default 6; the tenant's policy may cap it)
  --json            print one JSON report of each step and nothing else on stdout
  --no-save         do not touch the console's database: print the values for the wizard's script path
  --state FILE      with --no-save: where the resume state is kept (ids only, never the token or secret)`;

class UsageError extends Error {}

type Options = { tenant: string; name: string; cloud: Cloud; credential: "secret" | "certificate"; secretMonths: number; json: boolean; save: boolean; stateFile?: string; token: string };

async function parse(argv: string[]): Promise<Options> {
  if (argv.some((arg) => arg === "--token" || arg.startsWith("--token="))) {
    throw new UsageError("--token is not accepted: a token given as an argument lands in shell history and the process list. Pipe it into --token-stdin.");
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        "token-stdin": { type: "boolean", default: false },
        tenant: { type: "string" },
        name: { type: "string" },
        cloud: { type: "string" },
        credential: { type: "string", default: "secret" },
        "secret-months": { type: "string", default: "6" },
        json: { type: "boolean", default: false },
        "no-save": { type: "boolean", default: false },
        state: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) throw new UsageError("");
  if (!values["token-stdin"]) throw new UsageError("--token-stdin is required: pipe the administrator's Graph token into this command.");
  if (!values.tenant) throw new UsageError("--tenant is required.");
  const name = values.name?.trim();
  if (!name || name.length > 120) throw new UsageError("--name is required (at most 120 characters).");
  if (values.credential !== "secret" && values.credential !== "certificate") throw new UsageError("--credential must be secret or certificate.");
  if (values.credential === "certificate" && values["no-save"]) {
    throw new UsageError("--credential certificate goes without --no-save: the certificate's private key stays sealed in the console's database and is never printed.");
  }
  const secretMonths = Number(values["secret-months"]);
  if (!Number.isInteger(secretMonths) || secretMonths < 1 || secretMonths > MAX_SECRET_MONTHS) throw new UsageError(`--secret-months must be a whole number from 1 to ${MAX_SECRET_MONTHS}.`);
  if (values.state && !values["no-save"]) throw new UsageError("--state goes with --no-save: with the console's database the resume state is kept there.");
  if (values["no-save"] && !values.state) throw new UsageError("--no-save needs --state FILE, where the resume state is kept.");
  const cloudId = cloudIdSchema.safeParse(values.cloud ?? defaultCloudId());
  if (!cloudId.success) throw new UsageError(`--cloud must be one of ${cloudIdSchema.options.join(", ")}.`);
  const cloud = resolveCloud(cloudId.data);
  if (!cloud) throw new UsageError("--cloud custom needs CALSYNC_AUTHORITY_HOST and CALSYNC_GRAPH_HOST to be set.");
  const token = (await readStdin("Paste the administrator's Graph access token, then press Enter and Ctrl-D: ")).trim();
  if (!token) throw new UsageError("No token arrived on standard input.");
  return { tenant: values.tenant, name, cloud, credential: values.credential, secretMonths, json: values.json, save: !values["no-save"], ...(values.state ? { stateFile: values.state } : {}), token };
}

/** PGlite opens in one process at a time: refuse while the console answers on its port. */
async function consoleIsRunning(): Promise<boolean> {
  const env = getEnv();
  const host = env.HOST.includes(":") ? `[${env.HOST}]` : env.HOST;
  try {
    await fetch(`http://${host}:${env.PORT}/api/health`, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

async function openTarget(options: Options): Promise<{ database: Database; ring: KeyRing }> {
  if (!options.save) {
    // A throwaway database and key: the state file carries what must survive, and it holds no secret.
    const database = await openDatabase({ kind: "pglite" });
    return { database, ring: new KeyRing([{ id: "cli", key: randomBytes(32) }]) };
  }
  const env = getEnv();
  const target = databaseTargetFromEnv(env);
  if (target.kind === "pglite" && (await consoleIsRunning())) {
    throw new UsageError(
      `The console is running and uses the ${describeTarget(target)}, which opens in one process at a time. Stop the console and run this again, or use --no-save --state FILE and enter the printed values in the wizard's script path.`,
    );
  }
  const database = await openDatabase(target);
  return { database, ring: await loadKeyRing(env, database.sql) };
}

function print(options: Options, outcome: ProvisioningOutcome, extra: { clientId?: string | null; secret?: string; credentialKeyId?: string | null; credentialKind?: string; steps: unknown[] }): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ status: outcome.status, message: outcome.message, tenantId: options.tenant, clientId: extra.clientId ?? null, ...(extra.secret ? { clientSecret: extra.secret } : {}), credentialKeyId: extra.credentialKeyId ?? null, credentialKind: extra.credentialKind ?? null, steps: extra.steps, ...(outcome.handOff ? { consentUrl: outcome.handOff.url } : {}), report: outcome.report ?? null }, null, 2)}\n`);
    return;
  }
  for (const item of outcome.items) process.stdout.write(`${item.status.toUpperCase().padEnd(8)} ${item.title}${item.detail ? `: ${item.detail}` : ""}\n`);
  process.stdout.write(`\n${outcome.message}\n`);
  if (outcome.handOff) process.stdout.write(`\nApproval link for a Privileged Role Administrator or Global Administrator:\n${outcome.handOff.url}\n`);
  if (extra.clientId) process.stdout.write(`\nTenant ID:     ${options.tenant}\nClient ID:     ${extra.clientId}\n`);
  if (extra.secret) process.stdout.write(`Client secret: ${extra.secret}\n(Shown once: enter it in the wizard's script path now.)\n`);
  else if (extra.credentialKeyId) process.stdout.write(`Credential:    ${extra.credentialKind === "certificate" ? "certificate" : "client secret"} ${extra.credentialKeyId}, kept sealed in the console\n`);
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = await parse(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message ? `${error.message}\n\n` : ""}${usage}\n`);
    return 2;
  }
  const inspected = inspectSetupToken(options.token, options.cloud);
  if (!inspected.ok) {
    process.stderr.write(`${inspected.problem}\n`);
    return 1;
  }
  if (/^[0-9a-f-]{36}$/i.test(options.tenant) && options.tenant.toLowerCase() !== inspected.facts.tenantId.toLowerCase()) {
    process.stderr.write(`The token is for tenant ${inspected.facts.tenantId}, not ${options.tenant}. Sign in to the right tenant (az login --tenant ${options.tenant}) and try again.\n`);
    return 1;
  }
  options.tenant = inspected.facts.tenantId;
  let opened: { database: Database; ring: KeyRing };
  try {
    opened = await openTarget(options);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const { database, ring } = opened;
  try {
    const db = database.prisma;
    let id: string;
    const kept = options.stateFile && existsSync(options.stateFile) ? cliStateSchema.parse(JSON.parse(readFileSync(options.stateFile, "utf8"))) : undefined;
    if (kept) {
      await importCliState(db, ring, kept, options.token);
      id = kept.id;
    } else {
      const resumable = options.save ? await db.provisioning.findFirst({ where: { tenantId: options.tenant, displayName: options.name, status: { in: ["running", "waiting", "handoff", "failed"] } }, select: { id: true }, orderBy: { createdAt: "desc" } }) : null;
      id = resumable?.id ?? (await startProvisioning(db, ring, { cloud: options.cloud, token: options.token, displayName: options.name, secretMonths: options.secretMonths, credentialKind: options.credential }, null));
      if (resumable) await replaceProvisioningToken(db, ring, id, options.token);
    }
    const actor = options.save ? await db.user.findFirst({ where: { role: "admin", active: true }, select: { id: true, email: true }, orderBy: { createdAt: "asc" } }) : null;
    if (options.save && !actor) {
      process.stderr.write("The console has no administrator account yet: finish its first-run setup, or use --no-save --state FILE.\n");
      return 1;
    }
    const outcome = await runProvisioning(db, ring, options.cloud, id, { actor, save: options.save });
    const row = await getProvisioning(db, id);
    const secret = !options.save && outcome.status === "done" ? await takeProvisionedSecret(db, ring, id) : undefined;
    if (options.stateFile) writeFileSync(options.stateFile, `${JSON.stringify(await exportCliState(db, id), null, 2)}\n`, { mode: 0o600 });
    const steps = (row?.steps ?? []).map((step) => ({ step: step.step, status: step.status, microsoftIds: step.microsoftIds, attempts: step.attempts, ...(step.error ? { error: step.error } : {}) }));
    print(options, outcome, { clientId: row?.appId, ...(secret ? { secret } : {}), credentialKeyId: row?.credentialKeyId, ...(row ? { credentialKind: row.credentialKind } : {}), steps });
    return outcome.status === "done" ? 0 : 1;
  } catch (error) {
    if (error instanceof ProvisioningInputError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
