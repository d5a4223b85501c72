import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { benchAppId } from "@/test-support/check-scenario";
import { seedConsoleDatabase, seedTargetFrom, seedTargetOptions } from "@/test-support/engine-api-seed";
import { insertConnection } from "@/test-support/jobs";

/**
 * The deployment suite's database before its instances start: `--connections N` organisation
 * connections, each with its own app of the simulator's test scenario (`benchAppId(i)`), all due for
 * their scheduled check, so that both instances find them at once.
 *
 *   node --conditions=react-server --import tsx test-support/deployment-seed.ts --data-dir DIR --database-url … --seal-keys … --connections 12
 * Its last line of output is `{"connections":[{"id":…,"clientId":…},…]}`.
 */

export type DeploymentSeed = { connections: Array<{ id: string; clientId: string }> };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { ...seedTargetOptions, connections: { type: "string" } } });
  const count = Number(values.connections);
  if (!Number.isInteger(count) || count < 1) throw new Error("--connections must be a whole number of at least 1");
  const seeded = await seedConsoleDatabase(seedTargetFrom(values), async (db, ring) => {
    const connections: DeploymentSeed["connections"] = [];
    for (let index = 0; index < count; index++) {
      const clientId = benchAppId(index);
      const id = await insertConnection(db, ring, { name: `Scheduled ${index + 1}`, clientId, nextCheckAt: new Date(Date.now() - 60_000) });
      connections.push({ id, clientId });
    }
    return { connections };
  });
  process.stdout.write(`${JSON.stringify(seeded)}\n`);
}
