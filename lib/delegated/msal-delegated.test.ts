import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { knownClouds } from "@/lib/entra/clouds";
import { createRetryBudget } from "@/lib/entra/http-transport";
import { UserFacingError } from "@/lib/errors";
import { authorizationUrlOrRefusal } from "@/lib/delegated/msal-delegated";

/** A loopback port nothing listens on: taken from the system, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("authorizationUrlOrRefusal", () => {
  it("explains in the person's words that Microsoft could not be reached, when msal's metadata lookup fails", async () => {
    // A public cloud has no pre-built metadata, so msal fetches it from the authority before building the URL.
    const cloud = { ...knownClouds.global, authorityHost: `https://127.0.0.1:${await closedPort()}` };
    const attempt = authorizationUrlOrRefusal(
      { cloud, clientId: "11111111-1111-4111-8111-111111111111", homeTenant: "contoso.com", audience: "organization", credential: { kind: "secret", secret: "s" } },
      { redirectUri: "https://console.example/callback", state: "state", nonce: "nonce", codeChallenge: "c".repeat(43) },
      { signal: AbortSignal.timeout(10_000), retry: createRetryBudget() },
    );
    await expect(attempt).rejects.toThrow(UserFacingError);
    await expect(attempt).rejects.toThrow(`Microsoft's sign-in service (${knownClouds.global.label}) could not be reached, so nothing was started.`);
  });
});
