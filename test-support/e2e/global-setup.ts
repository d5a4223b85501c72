import { createServer } from "node:http";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { demo } from "../../simulator/demo-ids";
import { loadDemoScenario, parseScenario } from "../../simulator/scenario";
import { startSimulator } from "../../simulator/server";
import { uploadCertificate } from "../../simulator/application-keys";
import { startConsoleProcess, type ConsoleProcess } from "../console-process";
import { testSimulatorStateDir } from "../simulator-ca";
import { addSeparateConsoleApp, consoleSignInScenario } from "../console-sign-in-scenario";
import { withSetupApp } from "../provisioning-scenario";
import { CONSENT_SPEC_USER, SCOPE_APPS, CERTIFICATE_APPS, SWITCHED_APP_SECRET, ROTATED_SECRET, CAPTURE_DIR, E2E_BASE_URL, E2E_DATA_DIR, E2E_PORT, E2E_ROOT, SCREENSHOT_DIR, SERVER_LOG, SIMULATOR_FILE, STATE_DIR } from "./server";

/**
 * Starts the Entra ID + Graph simulator and the production build of the console (the test command
 * builds it first) on a fresh data folder, exactly as `npm start` does, with the simulator as its
 * `custom` cloud. The server log is kept: the specs read the setup code from it and the secrets spec
 * searches it.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  rmSync(E2E_ROOT, { recursive: true, force: true });
  for (const dir of [E2E_DATA_DIR, CAPTURE_DIR, STATE_DIR, SCREENSHOT_DIR]) mkdirSync(dir, { recursive: true });

  const scenario = await loadDemoScenario();
  for (const tenant of scenario.tenants) {
    for (const app of tenant.apps) {
      app.redirectUris.push(`${E2E_BASE_URL}/connections/new/admin-consent/callback`, `${E2E_BASE_URL}/connect/callback`);
    }
  }
  // A second valid secret for the healthy app, so that secret rotation has somewhere to go.
  const healthy = scenario.tenants.flatMap((tenant) => tenant.apps).find((app) => app.clientId === demo.apps.healthy.clientId)!;
  healthy.secrets.push({ ...healthy.secrets[0]!, id: "11111111-1111-4111-8111-bbbbbbbbbbbb", value: ROTATED_SECRET, displayName: "rotated" });
  // Console sign-in goes through the mailbox sign-in app: the demo's dedicated one, with app roles and groups.
  consoleSignInScenario(scenario, { clientId: demo.apps.mailboxSignIn.clientId, redirectUris: [`${E2E_BASE_URL}/sign-in/microsoft/callback`] });
  // "Set it up for me" signs administrators in through a setup app of its own.
  withSetupApp(scenario, [`${E2E_BASE_URL}/connections/new/automatic/callback`]);
  // Or through an app registration of its own, which the Microsoft sign-in spec switches to.
  addSeparateConsoleApp(scenario, { fromClientId: demo.apps.mailboxSignIn.clientId, redirectUris: [`${E2E_BASE_URL}/sign-in/microsoft/callback`] });
  const contoso = scenario.tenants.find((tenant) => tenant.apps.includes(healthy))!;
  const lynne = contoso.users.find((user) => user.id === demo.users.lynne.id)!;
  contoso.users.push({ ...structuredClone(lynne), id: CONSENT_SPEC_USER.id, upn: CONSENT_SPEC_USER.upn, mail: CONSENT_SPEC_USER.upn, displayName: "Casey Consent", givenName: "Casey", surname: "Consent" });
  for (const [name, clientId] of Object.entries(CERTIFICATE_APPS)) {
    contoso.apps.push({
      ...structuredClone(healthy),
      clientId,
      displayName: `Certificate ${name}`,
      servicePrincipalId: undefined,
      secrets: name === "switched" || name === "uploadForMe" ? [{ ...healthy.secrets[0]!, id: "c0000000-0000-4000-8000-00000000c3c3", value: SWITCHED_APP_SECRET }] : [],
      certificates: [],
    });
  }
  for (const [name, clientId] of Object.entries(SCOPE_APPS)) {
    contoso.apps.push({ ...structuredClone(healthy), clientId, displayName: `Scope ${name}`, servicePrincipalId: undefined, secrets: [{ ...healthy.secrets[0]!, id: clientId.replace(/^5c/, "5d") }] });
  }
  const simulator = await startSimulator({ scenario, stateDir: testSimulatorStateDir });
  // Specs run in worker processes; this loopback endpoint lets them change the simulated tenant
  // (withdraw consent, disable an app) the way an admin would in the real portal.
  const control = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const url = request.url ?? "";
      const live = simulator.scenario;
      if (request.method === "GET" && url === "/refresh-tokens") {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(simulator.issuedRefreshTokens()));
        return;
      }
      // "Set it up for me": an administrator's Graph token, the tenant's settings, and injected faults.
      if (request.method === "POST" && url === "/admin-token") {
        const { user, scopes } = JSON.parse(body) as { user: string; scopes: string[] };
        const token = simulator.mintAccessToken({ tenant: demo.contoso.id, clientId: demo.apps.identityTools.clientId, user, scopes });
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token }));
        return;
      }
      if (request.method === "POST" && url === "/tenant") {
        const copy = structuredClone(live);
        Object.assign(copy.tenants[0]!, JSON.parse(body) as object);
        parseScenario(copy);
        Object.assign(live.tenants[0]!, JSON.parse(body) as object);
        response.writeHead(204).end();
        return;
      }
      if (request.method === "POST" && url === "/faults") {
        simulator.setFaults(JSON.parse(body) as Parameters<typeof simulator.setFaults>[0]);
        response.writeHead(204).end();
        return;
      }
      if (request.method === "GET" && url.startsWith("/apps?name=")) {
        const name = decodeURIComponent(url.slice("/apps?name=".length));
        const apps = live.tenants.flatMap((tenant) => [...tenant.apps, ...tenant.deletedApps]).filter((app) => app.displayName === name);
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(apps.map((app) => ({ clientId: app.clientId, deleted: app.deletedAt !== undefined, grantedRoles: app.grantedRoles }))));
        return;
      }
      // Patches change the live scenario in place (validated on a copy first), so that tokens already
      // issued stay valid, as they do when an admin changes a setting in the portal.
      // The admin's "Upload certificate" in the portal: the simulator's scenario API, called in process.
      const uploadTo = /^\/apps\/([0-9a-f-]{36})\/certificates$/.exec(url)?.[1];
      const uploadApp = uploadTo && live.tenants.flatMap((tenant) => tenant.apps).find((candidate) => candidate.clientId === uploadTo);
      if (request.method === "POST" && uploadApp) {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(uploadCertificate(uploadApp, body)));
        return;
      }
      const clientId = /^\/apps\/([0-9a-f-]{36})$/.exec(url)?.[1];
      const upn = /^\/users\/([^/]+)$/.exec(url)?.[1];
      const find = (scenario: typeof live) =>
        clientId
          ? scenario.tenants.flatMap((tenant) => tenant.apps).find((candidate) => candidate.clientId === clientId)
          : upn
            ? scenario.tenants.flatMap((tenant) => tenant.users).find((user) => user.upn.toLowerCase() === decodeURIComponent(upn).toLowerCase())
            : undefined;
      const target = find(live);
      if (request.method !== "POST" || !target) {
        response.writeHead(404).end();
        return;
      }
      const patch = JSON.parse(body) as object;
      const copy = structuredClone(live);
      Object.assign(find(copy)!, patch);
      parseScenario(copy);
      Object.assign(target, patch);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
  const controlPort = (control.address() as { port: number }).port;
  writeFileSync(SIMULATOR_FILE, JSON.stringify({ origin: simulator.origin, control: `http://127.0.0.1:${controlPort}` }));

  let server: ConsoleProcess;
  try {
    server = await startConsoleProcess({
      port: E2E_PORT,
      logFile: SERVER_LOG,
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: String(E2E_PORT),
        HOST: "127.0.0.1",
        CALSYNC_DATA_DIR: E2E_DATA_DIR,
        CALSYNC_LOG_LEVEL: "debug",
        CALSYNC_CLOUD: "custom",
        CALSYNC_AUTHORITY_HOST: simulator.origin,
        CALSYNC_GRAPH_HOST: simulator.origin,
        NODE_EXTRA_CA_CERTS: simulator.caCertPath,
        // The webhook receivers of the e2e specs listen on loopback, which the console refuses by default.
        CALSYNC_WEBHOOK_ALLOW_HOSTS: "127.0.0.1",
        // A certificate made for 3 months is due for renewal at once, so the certificate spec sees one.
        CALSYNC_CERT_RENEW_DAYS: "100",
      },
    });
  } catch (error) {
    control.close();
    await simulator.close();
    throw error;
  }
  return async () => {
    await server.stop();
    control.close();
    await simulator.close();
  };
}
