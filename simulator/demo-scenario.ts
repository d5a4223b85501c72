import { demo } from "./demo-ids";
import { loadDemoScenario, type Scenario } from "./scenario";

/**
 * The scenario `npm run demo` starts from: the bundled demo tenant, with its redirect URIs on the
 * console's real port and the secrets' expiry dates placed relative to the day the demo starts, so
 * that one secret is already expired and another expires in five days.
 */

const DAY_MS = 86_400_000;
export const DEMO_EXPIRED_SECRET_DAYS_AGO = 3;
export const DEMO_EXPIRING_SECRET_DAYS = 5;

/** Moves every registered redirect URI on the bundled default port (3000) to `consolePort`. */
function redirectUrisOn(uris: readonly string[], consolePort: number): string[] {
  return uris.map((uri) => {
    const url = new URL(uri);
    if (url.port === "3000") url.port = String(consolePort);
    return url.toString();
  });
}

export async function demoScenario(consolePort: number, now = new Date()): Promise<Scenario> {
  const scenario = await loadDemoScenario();
  const expiries: Record<string, Date> = {
    [demo.apps.expiredSecret.clientId]: new Date(now.getTime() - DEMO_EXPIRED_SECRET_DAYS_AGO * DAY_MS),
    [demo.apps.secretExpiring.clientId]: new Date(now.getTime() + DEMO_EXPIRING_SECRET_DAYS * DAY_MS),
  };
  for (const tenant of scenario.tenants) {
    for (const app of tenant.apps) {
      app.redirectUris = redirectUrisOn(app.redirectUris, consolePort);
      const expiresAt = expiries[app.clientId];
      if (expiresAt) for (const secret of app.secrets) secret.expiresAt = expiresAt.toISOString();
    }
  }
  return scenario;
}
