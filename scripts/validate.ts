/**
 * Validate an Entra app's credentials against Microsoft Graph from the command line.
 *
 *   npm run validate -- --tenant <id|domain> --client-id <guid> (--secret-stdin | --secret-env NAME)
 *     [--cloud global|usgov|usgov-dod|china|custom] [--mailbox <upn>] [--out-of-scope-mailbox <upn>]
 *     [--write-test] [--all-users | --mailboxes a,b] [--timeout-ms N] [--json]
 *
 * Exit codes: 0 no check failed, 1 a check failed (or the run was interrupted), 2 usage error.
 * The secret is never accepted as an argument: arguments end up in shell history and are visible to
 * every local user through the process list.
 */
import { parseArgs } from "node:util";
import { runChecks } from "@/lib/checks/run-checks";
import type { Check, CheckInput, CheckReport } from "@/lib/checks/schema";
import { defaultCloudId, resolveCloud } from "@/lib/entra/cloud-config";
import { cloudIdSchema, type Cloud } from "@/lib/entra/clouds";
import { loadEnvFiles } from "@/lib/env-files";
import { readStdin } from "./stdin";

loadEnvFiles();

const usage = `Usage: npm run validate -- --tenant <id|domain> --client-id <guid> (--secret-stdin | --secret-env NAME)
       [--cloud global|usgov|usgov-dod|china|custom] [--mailbox <upn>] [--out-of-scope-mailbox <upn>]
       [--write-test] [--all-users | --mailboxes a,b] [--timeout-ms N] [--json]

  --tenant                 Directory (tenant) ID or a verified domain of the tenant
  --client-id              Application (client) ID of the app registration
  --secret-stdin           read the client secret's Value from standard input
  --secret-env NAME        read the client secret's Value from environment variable NAME
  --cloud                  Microsoft cloud (default: CALSYNC_CLOUD, else global)
  --mailbox                test mailbox whose calendar is read (default: first user with a mailbox)
  --out-of-scope-mailbox   a mailbox the app must NOT reach (proves Exchange scoping)
  --write-test             also create and delete a test event in the test mailbox
  --all-users              sync scope: every user (default; needs User.Read.All)
  --mailboxes a,b          sync scope: only these mailboxes
  --timeout-ms N           per-check time limit (default 15000)
  --json                   print the CheckReport as JSON and nothing else on stdout`;

class UsageError extends Error {}

type Parsed = { input: CheckInput; json: boolean; timeoutMs?: number; cloud: Cloud };

async function parse(argv: string[]): Promise<Parsed> {
  if (argv.some((arg) => arg === "--secret" || arg.startsWith("--secret="))) {
    throw new UsageError(
      "--secret is not accepted: a secret given as an argument lands in shell history and is visible to other users in the process list.\n" +
        "Use --secret-stdin (e.g. `pass show calsync | npm run validate -- … --secret-stdin`) or --secret-env NAME.",
    );
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        tenant: { type: "string" },
        "client-id": { type: "string" },
        "secret-stdin": { type: "boolean", default: false },
        "secret-env": { type: "string" },
        cloud: { type: "string" },
        mailbox: { type: "string" },
        "out-of-scope-mailbox": { type: "string" },
        "write-test": { type: "boolean", default: false },
        "all-users": { type: "boolean", default: false },
        mailboxes: { type: "string" },
        "timeout-ms": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) throw new UsageError("");
  if (!values.tenant) throw new UsageError("--tenant is required.");
  if (!values["client-id"]) throw new UsageError("--client-id is required.");
  if (values["secret-stdin"] === Boolean(values["secret-env"])) throw new UsageError("Give exactly one of --secret-stdin or --secret-env NAME.");
  if (values["all-users"] && values.mailboxes !== undefined) throw new UsageError("Give either --all-users or --mailboxes, not both.");

  const cloudId = cloudIdSchema.safeParse(values.cloud ?? defaultCloudId());
  if (!cloudId.success) throw new UsageError(`--cloud must be one of ${cloudIdSchema.options.join(", ")}.`);
  const cloud = resolveCloud(cloudId.data);
  if (!cloud) throw new UsageError("--cloud custom needs CALSYNC_AUTHORITY_HOST and CALSYNC_GRAPH_HOST to be set.");

  let secret: string;
  if (values["secret-env"]) {
    // The variable is named by the operator for this one run; lib/env.ts holds only the app's own configuration.
    const fromEnv = process.env[values["secret-env"]];
    if (fromEnv === undefined || fromEnv === "") throw new UsageError(`Environment variable ${values["secret-env"]} is not set.`);
    secret = fromEnv;
  } else {
    // One line terminator is how stdin ends, not pasted junk; anything else is left to the format check.
    secret = (await readStdin("Paste the client secret's Value, then press Enter and Ctrl-D: ")).replace(/\r?\n$/, "");
  }

  let timeoutMs: number | undefined;
  if (values["timeout-ms"] !== undefined) {
    timeoutMs = Number(values["timeout-ms"]);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new UsageError("--timeout-ms must be a positive whole number.");
  }

  return {
    input: {
      cloud: cloud.id,
      tenant: values.tenant,
      clientId: values["client-id"],
      clientSecret: secret,
      mailboxScope:
        values.mailboxes !== undefined
          ? { kind: "list", mailboxes: values.mailboxes.split(",").map((entry) => entry.trim()).filter(Boolean) }
          : { kind: "all" },
      ...(values.mailbox ? { testMailbox: values.mailbox } : {}),
      ...(values["out-of-scope-mailbox"] ? { outOfScopeMailbox: values["out-of-scope-mailbox"] } : {}),
      writeTest: values["write-test"],
    },
    json: values.json,
    cloud,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
}

const labels: Record<Check["status"], string> = { pass: "PASS", warn: "WARN", fail: "FAIL", skip: "SKIP" };

function formatCheck(check: Check): string {
  const lines = [`${labels[check.status]}  ${check.id.padEnd(14)} ${check.title}: ${check.detail}`];
  if (check.fix && check.status !== "pass") {
    lines.push(`      fix (${check.who ?? "user"}, wizard step "${check.fix.step}"): ${check.fix.text}`);
  } else if (check.who && (check.status === "fail" || check.status === "warn")) {
    lines.push(`      who can fix it: ${check.who}`);
  }
  if (check.code && check.status !== "pass") lines.push(`      code ${check.code}${check.helpUrl ? ` (${check.helpUrl})` : ""}`);
  if (check.correlationId && check.status === "fail") {
    lines.push(`      for Microsoft support: correlation id ${check.correlationId}${check.timestamp ? `, timestamp ${check.timestamp}` : ""}`);
  }
  return lines.join("\n");
}

function formatReport(report: CheckReport, cloud: Cloud): string {
  const failed = report.checks.filter((check) => check.status === "fail").length;
  const warned = report.checks.filter((check) => check.status === "warn").length;
  const summary = report.cancelled
    ? "Interrupted."
    : failed > 0
      ? `${failed} check${failed === 1 ? "" : "s"} failed${warned ? `, ${warned} warning${warned === 1 ? "" : "s"}` : ""}.`
      : `All checks passed${warned ? ` with ${warned} warning${warned === 1 ? "" : "s"}` : ""}.`;
  return [
    `Tenant ${report.tenantId} in ${cloud.label}`,
    ...report.checks.map(formatCheck),
    `${summary} (${Math.round(report.durationMs)} ms)`,
  ].join("\n");
}

async function main(): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = await parse(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message ? `${error.message}\n\n` : ""}${usage}\n`);
      return error.message ? 2 : 0;
    }
    throw error;
  }
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  const report = await runChecks(parsed.input, {
    signal: controller.signal,
    cloud: parsed.cloud,
    ...(parsed.timeoutMs !== undefined ? { timeoutMs: parsed.timeoutMs } : {}),
  });
  process.stdout.write(parsed.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report, parsed.cloud)}\n`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug, not a validation result: no Microsoft text or input values are printed, only our own error.
    process.stderr.write(`validate: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
