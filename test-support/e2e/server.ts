import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** Where the e2e console runs and keeps its data; shared by the config, global setup and specs. */
export const E2E_PORT = Number(process.env.CALSYNC_E2E_PORT ?? 3217);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const E2E_ROOT = path.join(repoRoot, "test-results/e2e-run");
export const E2E_DATA_DIR = path.join(E2E_ROOT, "data");
export const SERVER_LOG = path.join(E2E_ROOT, "server.log");
export const CAPTURE_DIR = path.join(E2E_ROOT, "captured");
export const SCREENSHOT_DIR = path.join(repoRoot, "test-results/screenshots");
export const STATE_DIR = path.join(E2E_ROOT, "state");
export const SECRETS_FILE = path.join(E2E_ROOT, "secrets.json");
export const SHOWN_ONCE_FILE = path.join(E2E_ROOT, "shown-once.json");
export const SIMULATOR_FILE = path.join(E2E_ROOT, "simulator.json");

export const REPO_ROOT = repoRoot;

/** Chromium's switches for every test browser (the config's, and those a spec launches itself). */
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

/** The demo spec runs `npm run demo` on its own port and folder, beside the e2e console. */
export const DEMO_E2E_PORT = Number(process.env.CALSYNC_DEMO_E2E_PORT ?? E2E_PORT + 100);
export const DEMO_E2E_BASE_URL = `http://127.0.0.1:${DEMO_E2E_PORT}`;
export const DEMO_E2E_DIR = path.join(E2E_ROOT, "demo");

/**
 * Apps the e2e scenario adds beside the demo's, each a copy of the healthy app with consent but no
 * credential yet, so that the certificate specs upload theirs as an admin would.
 */
export const CERTIFICATE_APPS = {
  generated: "c0000000-0000-4000-8000-0000000000c1",
  pfx: "c0000000-0000-4000-8000-0000000000c2",
  switched: "c0000000-0000-4000-8000-0000000000c3",
  uploadForMe: "c0000000-0000-4000-8000-0000000000c4",
  script: "c0000000-0000-4000-8000-0000000000c5",
  mailboxSignIn: "c0000000-0000-4000-8000-0000000000c6",
} as const;

/** Apps of their own for the mailbox-scope spec (copies of the healthy app; the spec sets their Exchange scoping). */
export const SCOPE_APPS = {
  proven: "5c000000-0000-4000-8000-0000000000a1",
  union: "5c000000-0000-4000-8000-0000000000a2",
  propagating: "5c000000-0000-4000-8000-0000000000a3",
} as const;

/** A Contoso mailbox only the consent pre-flight spec connects, so no other spec's connection stands in its way. */
export const CONSENT_SPEC_USER = { id: "a0000000-0000-4000-8000-0000000000c1", upn: "casey.consent@contoso.com" } as const;

/** The secret of the `switched` and `uploadForMe` apps, the ones moved off a secret to a certificate. */
export const SWITCHED_APP_SECRET = "switched~app~secret~value~00000003";

/** A second valid secret the e2e scenario adds to the demo's healthy app. */
export const ROTATED_SECRET = "healthy~rotated~secret~value~00000002";

export const accounts = {
  admin: { email: "admin@contoso.example", password: "e2e admin password 1", displayName: "Alex Admin" },
  helpdesk: { email: "help@contoso.example", password: "e2e helpdesk password 2", displayName: "Harper Helpdesk" },
  member: { email: "member@contoso.example", password: "e2e member password 3", displayName: "Morgan Member" },
} as const;

export type RoleName = keyof typeof accounts;

export function storageStatePath(role: RoleName): string {
  return path.join(STATE_DIR, `${role}.json`);
}
