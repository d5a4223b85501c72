import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { testSimulatorStateDir } from "@/test-support/simulator-ca";
import { demo } from "./demo-ids";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));

it("refuses to start without a state folder", async () => {
  const child = spawn(tsx, ["simulator/cli.ts", "--port", "0"], { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] });
  const [code] = (await once(child, "exit")) as [number | null];
  expect(code).toBe(2);
});

it("prints origin and CA path when ready and exits cleanly on SIGTERM", async () => {
  const child = spawn(tsx, ["simulator/cli.ts", "--scenario", "simulator/scenarios/demo.json", "--port", "0", "--state-dir", testSimulatorStateDir], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const lines = createInterface({ input: child.stdout });
    const [first] = (await once(lines, "line")) as [string];
    const ready = JSON.parse(first) as { origin: string; caCertPath: string };
    expect(ready.origin).toMatch(/^https:\/\/localhost:\d+$/);
    expect(ready.caCertPath).toMatch(/ca\.pem$/);
    const response = await fetch(`${ready.origin}/${demo.contoso.domain}/v2.0/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
  } finally {
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    expect(code === 0 || signal === "SIGTERM").toBe(true);
  }
});
