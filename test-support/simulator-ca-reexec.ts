import { spawn } from "node:child_process";
import path from "node:path";
import { ensureCa } from "@/simulator/server";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";

/**
 * Runs `main` in a process that trusts the simulator's CA: Node reads NODE_EXTRA_CA_CERTS only at
 * start-up, so without it the script creates the CA and runs itself again with the variable set. (A
 * bootstrap concern of the benchmarks, which is why it reads process.env rather than lib/env.ts.)
 */
export async function runTrustingSimulatorCa(main: () => Promise<number>): Promise<number> {
  // The variable may already point elsewhere (a system bundle); only the simulator's CA will do.
  if (process.env.NODE_EXTRA_CA_CERTS === path.join(testSimulatorStateDir, "ca.pem") || process.env.CALSYNC_BENCH_REEXEC === "1") return main();
  const ca = await ensureCa(testSimulatorStateDir);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: "inherit",
      env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.caCertPath, CALSYNC_BENCH_REEXEC: "1" },
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
