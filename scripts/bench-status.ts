// `npm run bench:status`: the /status page's server time with one filter applied, on PostgreSQL with
// 10,000 connections and 1,000,000 stored check results, divided by the same with 100 connections
// (and 10,000 check results). Target: ≤ 2. Needs a production build (`npm run build`) and the
// PostgreSQL 15 binaries; it starts its own throwaway cluster and console instances on loopback.
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { hashToken } from "@/lib/crypto/tokens";
import { openDatabase } from "@/lib/db/client";
import { loadEnvFiles } from "@/lib/env-files";
import { freePort, startConsoleProcess, type ConsoleProcess } from "@/test-support/console-process";
import { startPostgresCluster } from "@/test-support/postgres-cluster";

loadEnvFiles();

const ROUNDS = 30;
const WARMUP = 5;

async function seed(baseUrl: string, name: string, connections: number, runsPerConnection: number): Promise<{ url: string; token: string }> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: "postgres", url: url.toString() });
  const userId = randomUUID();
  const token = randomBytes(32).toString("base64url");
  await database.sql.query(`INSERT INTO users (id, email, display_name, role, password_hash, updated_at) VALUES ($1, 'bench@example.com', 'Bench', 'admin', NULL, now())`, [userId]);
  await database.sql.query(`INSERT INTO sessions (id, token_hash, user_id, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')`, [randomUUID(), hashToken(token), userId]);
  // States cycle so that "failing" (the filter measured) holds a fifth of all connections.
  await database.sql.exec(`
    INSERT INTO connections (id, name, kind, cloud, tenant, tenant_id, client_id, dedupe_key, mailbox_scope, state, state_since, last_checked_at, secret_expires_at, updated_at)
    SELECT gen_random_uuid(), 'Connection ' || lpad(n::text, 6, '0'), 'organization', 'global', 'tenant' || n || '.onmicrosoft.com',
           gen_random_uuid()::text, gen_random_uuid()::text, 'k' || n, '{"kind":"all"}',
           (ARRAY['healthy','warning','failing','needs_reauth','never_checked'])[1 + n % 5]::"ConnectionState",
           now() - (n || ' minutes')::interval, now() - (n || ' seconds')::interval, (current_date + (n % 400))::date, now()
    FROM generate_series(1, ${connections}) AS n`);
  // Failing rows carry a real-sized report: the board reads it for each row's next step.
  await database.sql.query(`UPDATE connections SET last_report = $1::jsonb WHERE state = 'failing'`, [JSON.stringify(failingReport)]);
  await database.sql.exec(`
    INSERT INTO check_runs (connection_id, started_at, duration_ms, trigger, ok, state, failed_check, code, report)
    SELECT c.id, now() - (r || ' hours')::interval, 180, 'scheduled', c.state <> 'failing', c.state,
           CASE WHEN c.state = 'failing' THEN 'token' END, CASE WHEN c.state = 'failing' THEN 'AADSTS7000215' END,
           '{"ok":true,"cancelled":false,"tenantId":"x","cloud":"global","startedAt":"2026-01-01T00:00:00Z","durationMs":180,"checks":[]}'
    FROM connections c CROSS JOIN generate_series(1, ${runsPerConnection}) AS r`);
  await database.sql.exec(`ANALYZE`);
  await database.close();
  return { url: url.toString(), token };
}

const failingReport = {
  ok: false,
  cancelled: false,
  tenantId: "x",
  cloud: "global",
  startedAt: "2026-01-01T00:00:00Z",
  durationMs: 180,
  checks: ["format", "tenant", "token", "permissions", "directory", "calendar"].map((id) => ({
    id,
    status: id === "token" ? "fail" : id === "format" || id === "tenant" ? "pass" : "skip",
    title: id === "token" ? "Client secret is wrong" : id,
    detail: id === "token" ? "Microsoft did not accept the client secret. It may have been mistyped, or the Secret ID copied instead of its Value." : "Skipped.",
    durationMs: 12,
    ...(id === "token" ? { code: "AADSTS7000215", who: "global-admin", fix: { step: "client-secret", text: "Create a new client secret and paste its Value." } } : {}),
  })),
};

async function startConsole(databaseUrl: string): Promise<ConsoleProcess> {
  const port = await freePort();
  return startConsoleProcess({
    entry: "server",
    port,
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      CALSYNC_SEAL_KEYS: `bench:${randomBytes(32).toString("base64")}`,
      CALSYNC_SCHEDULER: "off",
      CALSYNC_LOG_LEVEL: "warn",
    },
  });
}

async function medianPageTime(origin: string, token: string): Promise<{ median: number; rows: number }> {
  const times: number[] = [];
  let rows = 0;
  for (let round = 0; round < WARMUP + ROUNDS; round += 1) {
    const started = performance.now();
    const response = await fetch(`${origin}/status?state=failing`, { headers: { cookie: `calsync_session=${token}` } });
    const html = await response.text();
    if (!response.ok || !html.includes("Connection status")) throw new Error(`/status answered ${response.status}`);
    if (round >= WARMUP) times.push(performance.now() - started);
    rows = (html.match(/<tr class="border-b border-slate-200"/g) ?? []).length;
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, rows };
}

async function main(): Promise<void> {
  const cluster = await startPostgresCluster();
  try {
    console.log("Seeding 10,000 connections with 1,000,000 check results, and 100 connections with 10,000…");
    const seedStarted = performance.now();
    const large = await seed(cluster.url, "bench_large", 10_000, 100);
    const small = await seed(cluster.url, "bench_small", 100, 100);
    console.log(`  seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
    const results: Array<{ label: string; median: number; rows: number }> = [];
    for (const [label, target] of [["10,000 connections / 1,000,000 results", large], ["100 connections / 10,000 results", small]] as const) {
      const consoleProcess = await startConsole(target.url);
      try {
        results.push({ label, ...(await medianPageTime(consoleProcess.origin, target.token)) });
      } finally {
        await consoleProcess.stop();
      }
    }
    console.log(`\n/status?state=failing, median of ${ROUNDS} requests after ${WARMUP} warm-up requests`);
    for (const result of results) console.log(`  ${result.label.padEnd(42)} ${result.median.toFixed(1).padStart(7)} ms  (${result.rows} rows shown)`);
    const ratio = results[0]!.median / results[1]!.median;
    console.log(`  ratio large / small                        ${ratio.toFixed(2).padStart(7)}     (target <= 2)  ${ratio <= 2 ? "OK" : "MISSED"}`);
    process.exitCode = ratio <= 2 ? 0 : 1;
  } finally {
    cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
