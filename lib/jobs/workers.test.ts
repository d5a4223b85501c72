import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@/simulator/server";
import { assertSimulatorCaTrusted, testScenario } from "@/test-support/check-scenario";
import { KeyRing } from "@/lib/crypto/seal";
import { openDatabase, type Database } from "@/lib/db/client";
import { insertConnection } from "@/test-support/jobs";
import { testEngines } from "@/test-support/databases";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";

/**
 * Several console instances on one PostgreSQL: two real worker processes (scripts/jobs-worker.ts)
 * run the scheduler against the same database and the simulator. Each due slot must be checked
 * exactly once, and a worker killed mid-check must have its lease taken over once it runs out.
 */

assertSimulatorCaTrusted();

const root = path.resolve(import.meta.dirname, "../..");
const postgres = testEngines().find((engine) => engine.name === "postgres");
const keyEntry = { id: "w1", key: randomBytes(32) };
const ring = new KeyRing([keyEntry]);
const LEASE_MS = 1_500;

type Worker = { name: string; child: ChildProcessWithoutNullStreams; lines: Record<string, unknown>[]; stderr: () => string; exited: Promise<number | null> };

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(!postgres)("two worker processes on PostgreSQL", () => {
  let sim: Simulator;
  let database: Database;
  let a: Worker;
  let b: Worker;
  const workers: Worker[] = [];

  // One database and one pair of workers for both tests (starting a worker costs seconds): the first
  // test leaves every connection scheduled hours ahead, so the second one's connection is the only work.
  beforeAll(async () => {
    sim = await startSimulator({ scenario: testScenario(), stateDir: testSimulatorStateDir });
    const dataDir = await mkdtemp(path.join(tmpdir(), "calsync-jobs-"));
    const target = await postgres!.target();
    if (target.kind !== "postgres") throw new Error("expected PostgreSQL");
    // Migrated here, before the workers start, so they race only for work.
    database = await openDatabase(target);
    a = startWorker("worker-a", target.url, dataDir);
    b = startWorker("worker-b", target.url, dataDir);
    await Promise.all([ready(a), ready(b)]);
  });
  afterEach(() => {
    sim.setFaults([]);
  });
  afterAll(async () => {
    for (const worker of workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
      await worker.exited;
    }
    await database?.close();
    await sim?.close();
  });

  function startWorker(name: string, url: string, dataDir: string): Worker {
    const child = spawn(
      process.execPath,
      [
        "--conditions=react-server",
        "--import",
        "tsx",
        "scripts/jobs-worker.ts",
        "--instance",
        name,
        "--tick-ms",
        "50",
        "--lease-ms",
        String(LEASE_MS),
        "--concurrency",
        "3",
        // Far beyond the lease: a hung check outlives its lease, as a stuck instance would.
        "--check-timeout-ms",
        "60000",
      ],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? "",
          NODE_ENV: "test",
          NODE_EXTRA_CA_CERTS: sim.caCertPath,
          DATABASE_URL: url,
          CALSYNC_SEAL_KEYS: `${keyEntry.id}:${keyEntry.key.toString("base64")}`,
          CALSYNC_DATA_DIR: dataDir,
          CALSYNC_CLOUD: "custom",
          CALSYNC_AUTHORITY_HOST: sim.origin,
          CALSYNC_GRAPH_HOST: sim.origin,
          CALSYNC_LOG_LEVEL: "error",
        },
      },
    );
    const lines: Record<string, unknown>[] = [];
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const parts = stdout.split("\n");
      stdout = parts.pop() ?? "";
      for (const part of parts) if (part.startsWith("{")) lines.push(JSON.parse(part) as Record<string, unknown>);
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const worker = { name, child, lines, stderr: () => stderr, exited };
    workers.push(worker);
    return worker;
  }

  const ready = (worker: Worker) =>
    until(`worker ${worker.name} to start`, async () => {
      if (worker.child.exitCode !== null) throw new Error(`worker ${worker.name} exited: ${worker.stderr()}`);
      return worker.lines.some((line) => line.event === "ready");
    }, 60_000);

  const recordedBy = (worker: Worker) => worker.lines.filter((line) => line.event === "check" && line.outcome === "recorded").map((line) => String(line.connectionId));

  it("checks every due connection exactly once per due slot", async () => {
    // Slow Graph a little so both workers are busy at the same time.
    sim.setFaults([{ kind: "latency", path: "/v1.0/users", ms: 100 }]);
    const ids: string[] = [];
    for (let index = 0; index < 8; index++) ids.push(await insertConnection(database.prisma, ring, { name: `Due ${index}`, nextCheckAt: new Date(Date.now() - 60_000) }));
    const runsPer = async () =>
      new Map((await database.prisma.checkRun.groupBy({ by: ["connectionId"], _count: { _all: true } })).map((row) => [row.connectionId, row._count._all]));

    await until("every connection checked", async () => (await runsPer()).size === ids.length && (await database.prisma.connection.count({ where: { leaseOwner: { not: null } } })) === 0);
    // The next slot: everything is due again.
    await database.prisma.connection.updateMany({ data: { nextCheckAt: new Date(Date.now() - 1_000) } });
    await until("every connection checked twice", async () => [...(await runsPer()).values()].filter((count) => count === 2).length === ids.length);
    // A few more ticks of both workers: nothing is due, nothing more happens.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const runs = await runsPer();
    expect([...runs.entries()].sort()).toEqual(ids.map((id) => [id, 2]).sort());
    const states = await database.prisma.connection.findMany({ select: { state: true, leaseOwner: true, nextCheckAt: true } });
    expect(states.every((row) => row.state === "healthy" && row.leaseOwner === null && row.nextCheckAt.getTime() > Date.now() + 5 * 3_600_000)).toBe(true);
    // Each worker's own log agrees with the database: no slot recorded twice, both workers took part.
    expect([...recordedBy(a), ...recordedBy(b)]).toHaveLength(ids.length * 2);
    expect(recordedBy(a).length).toBeGreaterThan(0);
    expect(recordedBy(b).length).toBeGreaterThan(0);
  });

  it("takes over the lease of a worker killed mid-check once it runs out", async () => {
    // Graph never answers: whoever leases the connection hangs in the middle of its check.
    sim.setFaults([{ kind: "hang", path: "/v1.0/users" }]);
    sim.clearRequests();
    const id = await insertConnection(database.prisma, ring, { name: "Hangs", nextCheckAt: new Date(Date.now() - 60_000) });
    const lease = await until("a lease", async () => {
      const row = await database.prisma.connection.findUniqueOrThrow({ where: { id }, select: { leaseOwner: true, leaseExpiresAt: true } });
      const hung = sim.requests.some((request) => request.path === "/v1.0/users" && request.fault === "hang");
      return row.leaseOwner && row.leaseExpiresAt && hung ? { owner: row.leaseOwner, expiresAt: row.leaseExpiresAt } : undefined;
    });
    const [victim, survivor] = lease.owner === "worker-a" ? [a, b] : [b, a];
    victim.child.kill("SIGKILL");
    await victim.exited;
    sim.setFaults([]);

    const run = await until("the survivor's check run", () =>
      database.prisma.checkRun.findFirst({ where: { connectionId: id }, select: { startedAt: true, state: true, trigger: true } }).then((row) => row ?? undefined),
    );
    // Not before the dead worker's lease ran out, and exactly once.
    expect(run.startedAt.getTime()).toBeGreaterThanOrEqual(lease.expiresAt.getTime());
    expect(run).toMatchObject({ state: "healthy", trigger: "scheduled" });
    await until("the survivor to log it", async () => recordedBy(survivor).includes(id));
    expect(await database.prisma.checkRun.count({ where: { connectionId: id } })).toBe(1);
    expect(await database.prisma.connection.findUniqueOrThrow({ where: { id }, select: { leaseOwner: true } })).toEqual({ leaseOwner: null });

    // The survivor stops cleanly on SIGTERM.
    survivor.child.kill("SIGTERM");
    expect(await survivor.exited).toBe(0);
    expect(survivor.lines.at(-1)).toMatchObject({ event: "stopped" });
  });
});
