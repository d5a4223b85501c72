import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { demo } from "./demo-ids";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

it("prints origin and CA path when ready and exits cleanly on SIGTERM", async () => {
  const child = spawn(tsx, ["e2e/simulator/cli.ts", "--scenario", "e2e/simulator/scenarios/demo.json", "--port", "0"], {
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
