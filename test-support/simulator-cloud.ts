import { afterAll, beforeAll } from "vitest";
import type { Simulator } from "@/simulator/server";
import { resetEnvCache } from "@/lib/env";

const PUBLIC_URL = "https://calsync.example.test";
/** Where Microsoft sends a mailbox sign-in back to; the sign-in app must list it exactly. */
export const CALLBACK = `${PUBLIC_URL}/connect/callback`;
/** Where Microsoft sends staff back after "Sign in with Microsoft". */
export const CONSOLE_SIGN_IN_CALLBACK = `${PUBLIC_URL}/sign-in/microsoft/callback`;
/** Where Microsoft sends an administrator back after signing in through the setup app. */
export const SETUP_SIGN_IN_CALLBACK = `${PUBLIC_URL}/connections/new/automatic/callback`;

/**
 * Points the console's "custom" cloud (sign-in and Graph) at this file's simulator, and puts the
 * environment back after the file. The origin is known only once the simulator listens, hence
 * beforeAll; the console caches its environment, hence resetEnvCache.
 */
export function simulatorCloudForFile(sim: Pick<Simulator, "origin">): void {
  const savedEnv = { ...process.env };
  beforeAll(() => {
    process.env.CALSYNC_CLOUD = "custom";
    process.env.CALSYNC_AUTHORITY_HOST = sim.origin;
    process.env.CALSYNC_GRAPH_HOST = sim.origin;
    process.env.CALSYNC_PUBLIC_URL = PUBLIC_URL;
    resetEnvCache();
  });
  afterAll(() => {
    process.env = savedEnv;
    resetEnvCache();
  });
}
