import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { parseScenario, type Scenario } from "./scenario";
import type { RefreshTokenRecord, SimulatorState } from "./state";

/**
 * A simulator that keeps its live state in its state folder, so that a restarted one (a resumed demo)
 * still knows the refresh tokens it issued, the consent an admin granted and the key its tokens were
 * signed with. Codes, sign-in flows and browser sessions are short-lived and are not kept.
 */

const STATE_FILE = "state.json";
const SIGNING_KEY_FILE = "signing-key.pem";

const refreshTokenSchema = z.object({
  tenantId: z.string(),
  clientId: z.string(),
  userId: z.string(),
  scopes: z.array(z.string()),
  mfaDone: z.boolean(),
  issuedAt: z.number(),
  revoked: z.boolean(),
}) satisfies z.ZodType<RefreshTokenRecord>;

const persistedSchema = z.object({
  version: z.literal(1),
  scenario: z.unknown(),
  refreshTokens: z.array(z.tuple([z.string(), refreshTokenSchema])),
});

export interface PersistedState {
  scenario: Scenario;
  refreshTokens: Map<string, RefreshTokenRecord>;
}

/** The kept state, or undefined on a first start. A damaged file stops the start rather than being overwritten. */
export function loadPersistedState(stateDir: string): PersistedState | undefined {
  const file = path.join(stateDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = persistedSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file} is not a simulator state file (${z.prettifyError(parsed.error)}); delete it to start afresh`);
  return { scenario: parseScenario(parsed.data.scenario), refreshTokens: new Map(parsed.data.refreshTokens) };
}

function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, file);
}

export function savePersistedState(stateDir: string, state: SimulatorState): void {
  const content = JSON.stringify({ version: 1, scenario: state.scenario, refreshTokens: [...state.refreshTokens] });
  writeAtomically(path.join(stateDir, STATE_FILE), content);
}

export function loadSigningKeyPem(stateDir: string): string | undefined {
  const file = path.join(stateDir, SIGNING_KEY_FILE);
  return existsSync(file) ? readFileSync(file, "utf8") : undefined;
}

export function saveSigningKeyPem(stateDir: string, pem: string): void {
  writeAtomically(path.join(stateDir, SIGNING_KEY_FILE), pem);
}
