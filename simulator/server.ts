/**
 * Microsoft Entra ID + Microsoft Graph simulator: one HTTPS origin on loopback that serves the
 * authority (discovery, OpenID metadata, JWKS, /token, /authorize, /adminconsent) and Graph (/v1.0).
 *
 * TLS trust, the chosen route: NODE_EXTRA_CA_CERTS. msal-node 7 and graph-client both use Node's global
 * fetch, and Node reads NODE_EXTRA_CA_CERTS once at process start, so the CA lives in a stable folder
 * that the caller names (`stateDir`); `ensureCa()` creates it and every later start reuses it. Start
 * the processes that talk to the simulator with `NODE_EXTRA_CA_CERTS=<stateDir>/ca.pem`. `caCertPem` is
 * exported too, for callers that configure trust themselves (an undici Agent, `https.request({ ca })`,
 * Playwright's `ignoreHTTPSErrors`, a child process env).
 *
 * The origin uses the hostname `localhost` (not 127.0.0.1) because graph-client only attaches the
 * Authorization header for hosts in `customHosts`, which takes bare hostnames.
 */
import { createServer, type Server } from "node:https";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { createServerCertificate } from "./certs";
import { applyFaults } from "./faults";
import { handleAuthorize, handleAdminConsent, handleLogout } from "./authorize";
import { handleDiscovery } from "./discovery";
import { sendEstsError, ests, sendGraphError, page } from "./errors";
import { handleGraph } from "./graph";
import { redact, sendHtml, type RecordedRequest, type RequestContext } from "./http";
import { handleApplicationKeys, handleScenarioUpload } from "./application-keys";
import { createSigningKey, type SigningKey } from "./jwt";
import { parseFaults, parseScenario, type FaultInput, type Scenario, type ScenarioInput } from "./scenario";
import { loadPersistedState, loadSigningKeyPem, savePersistedState, saveSigningKeyPem } from "./persistence";
import { SimulatorState } from "./state";
import { handleToken, issueAuthCode, mintAccessToken, type IssueAuthCodeOptions, type MintAccessTokenOptions } from "./token-endpoint";

export type { RecordedRequest } from "./http";
export type { IssueAuthCodeOptions, MintAccessTokenOptions } from "./token-endpoint";

export interface StartSimulatorOptions {
  scenario: Scenario | ScenarioInput;
  /** 0 or omitted: a free port. */
  port?: number;
  /** Listen address; default 127.0.0.1. The origin still says `localhost`. */
  host?: string;
  /** Where the CA is kept (created when missing, reused afterwards). */
  stateDir: string;
  /** Oldest entries of `requests` are dropped beyond this (a long demo run must not grow forever). Default 50 000. */
  maxRecordedRequests?: number;
  /**
   * Keep the live state (scenario changes, refresh tokens, signing key) in `stateDir` and resume from
   * it: when a kept state exists, it wins over `scenario`.
   */
  persist?: boolean;
  /**
   * Also serve the browser-facing pages (/authorize, /adminconsent, /logout) over plain http on this
   * loopback port (0: a free one), for browsers that do not trust the simulator's CA.
   */
  browserHttpPort?: number;
  /** The sign-in pages list the tenant's test accounts and their passwords (demo mode). */
  showAccounts?: boolean;
}

export interface Simulator {
  /** e.g. "https://localhost:43123"; authority = `${origin}/${tenant}`, Graph base = `${origin}/`. */
  origin: string;
  /** e.g. "http://127.0.0.1:43124" when `browserHttpPort` was given: the same sign-in pages over plain http. */
  browserOrigin?: string;
  caCertPath: string;
  caCertPem: string;
  /** Live state: admin consent, created events and deleted events change it. */
  readonly scenario: Scenario;
  setScenario(scenario: Scenario | ScenarioInput): void;
  setFaults(faults: FaultInput[]): void;
  /** Every request in arrival order. Never holds secrets, assertions, codes or tokens. */
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  /** Mints an authorization code without the browser form (for token-endpoint tests). */
  issueAuthCode(options: IssueAuthCodeOptions): string;
  /** Mints a signed access token directly (for Graph tests that skip the token endpoint). */
  mintAccessToken(options: MintAccessTokenOptions): string;
  /** Invalidates every refresh token issued so far for a user (AADSTS50173 on next use). */
  revokeRefreshTokens(userIdOrUpn: string): void;
  /** Every refresh token issued so far: tests search for them where they must never appear. */
  issuedRefreshTokens(): string[];
  /** Key id of the token-signing key, as published on the JWKS. */
  signingKeyId: string;
  /** Replaces the clock that decides when pending Exchange scoping changes apply (`pendingExchangeScoping.effectiveAt`). */
  setClock(now: () => Date): void;
  close(): Promise<void>;
}

function hostOf(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

const loopbackHosts = new Set(["127.0.0.1", "::1", "localhost", "0.0.0.0", "::"]);

async function listen(server: Server | ReturnType<typeof createHttpServer>, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("simulator did not get a TCP port");
  return address.port;
}

function trackSockets(server: Server | ReturnType<typeof createHttpServer>, sockets: Set<Socket>): void {
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // Keep-alive sockets from fetch would otherwise keep close() waiting.
  server.keepAliveTimeout = 5_000;
}

/** Paths a browser visits; the plain-http listener serves only these. */
function isBrowserFacing(pathname: string): boolean {
  return pathname === "/" || pathname === "/error" || /^\/[^/]+\/(oauth2\/v2\.0\/(authorize|logout)|adminconsent)$/.test(pathname);
}

export async function startSimulator(options: StartSimulatorOptions): Promise<Simulator> {
  const kept = options.persist ? loadPersistedState(options.stateDir) : undefined;
  const keptKey = options.persist ? loadSigningKeyPem(options.stateDir) : undefined;
  const [certificate, signingKey] = await Promise.all([createServerCertificate(options.stateDir), createSigningKey(keptKey)]);
  if (options.persist && !keptKey) saveSigningKeyPem(options.stateDir, signingKey.privateKey.export({ format: "pem", type: "pkcs8" }).toString());
  const state = new SimulatorState(kept?.scenario ?? parseScenario(options.scenario));
  for (const [token, record] of kept?.refreshTokens ?? []) state.refreshTokens.set(token, record);
  const persist = (): void => {
    if (options.persist) savePersistedState(options.stateDir, state);
  };
  persist();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let origin = "";
  const deps = (plainHttp: boolean): ServerDeps => ({
    origin,
    state,
    signingKey,
    requests,
    maxRecorded: options.maxRecordedRequests ?? 50_000,
    plainHttp,
    showAccounts: options.showAccounts ?? false,
    // Only requests that can change the state are followed by a save.
    afterChange: persist,
  });

  const server: Server = createServer({ cert: certificate.certPem, key: certificate.keyPem }, (req, res) => {
    void handleRequest(req, res, deps(false));
  });
  trackSockets(server, sockets);
  const host = options.host ?? "127.0.0.1";
  const port = await listen(server, options.port ?? 0, host);
  const loopback = loopbackHosts.has(host);
  origin = `https://${loopback ? "localhost" : hostOf(host)}:${port}`;

  let browserServer: ReturnType<typeof createHttpServer> | undefined;
  let browserOrigin: string | undefined;
  if (options.browserHttpPort !== undefined) {
    // Plain http is only acceptable where nothing leaves the machine.
    if (!loopback) throw new Error("browserHttpPort needs a loopback host");
    browserServer = createHttpServer((req, res) => {
      const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
      if (!isBrowserFacing(pathname)) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`This address serves only the sign-in pages; everything else is at ${origin}.\n`);
        return;
      }
      void handleRequest(req, res, deps(true));
    });
    trackSockets(browserServer, sockets);
    const listenHost = host === "localhost" || host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
    const browserPort = await listen(browserServer, options.browserHttpPort, listenHost);
    browserOrigin = `http://${hostOf(listenHost)}:${browserPort}`;
  }

  return {
    origin,
    browserOrigin,
    caCertPath: certificate.caCertPath,
    caCertPem: certificate.caCertPem,
    get scenario() {
      return state.scenario;
    },
    setScenario(scenario) {
      state.replaceScenario(parseScenario(scenario));
      persist();
    },
    setFaults(faults) {
      state.replaceFaults(parseFaults(faults));
      persist();
    },
    requests,
    clearRequests() {
      requests.length = 0;
    },
    issueAuthCode(codeOptions) {
      return issueAuthCode(state, codeOptions);
    },
    mintAccessToken(tokenOptions) {
      return mintAccessToken({ state, signingKey, origin }, tokenOptions);
    },
    issuedRefreshTokens() {
      return [...state.refreshTokens.keys()];
    },
    setClock(now) {
      state.now = now;
    },
    revokeRefreshTokens(userIdOrUpn) {
      const needle = userIdOrUpn.toLowerCase();
      for (const tenant of state.scenario.tenants) {
        const user = tenant.users.find((u) => u.id === needle || u.upn.toLowerCase() === needle);
        if (!user) continue;
        for (const record of state.refreshTokens.values()) {
          if (record.userId === user.id) record.revoked = true;
        }
      }
      persist();
    },
    signingKeyId: signingKey.kid,
    async close() {
      persist();
      const closed = [server, browserServer].map(
        (listener) =>
          new Promise<void>((resolve) => {
            if (!listener) return resolve();
            listener.close(() => resolve());
          }),
      );
      // Hung requests (fault "hang") and idle keep-alive sockets must not block shutdown.
      for (const socket of sockets) socket.destroy();
      await Promise.all(closed);
    },
  };
}

interface ServerDeps {
  origin: string;
  state: SimulatorState;
  signingKey: SigningKey;
  requests: RecordedRequest[];
  maxRecorded: number;
  plainHttp: boolean;
  showAccounts: boolean;
  afterChange: () => void;
}

async function handleRequest(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const started = Date.now();
  const url = new URL(req.url ?? "/", deps.origin);
  const header = req.headers["client-request-id"];
  const record: RecordedRequest = {
    method: req.method ?? "GET",
    path: url.pathname,
    query: redact(url.searchParams),
    time: new Date(started).toISOString(),
    status: 0,
    durationMs: 0,
    clientRequestId: url.searchParams.get("client-request-id") ?? (typeof header === "string" ? header : undefined),
  };
  deps.requests.push(record);
  if (deps.requests.length > deps.maxRecorded) deps.requests.splice(0, deps.requests.length - deps.maxRecorded);
  res.on("finish", () => {
    record.durationMs = Date.now() - started;
    if (record.method !== "GET" && record.method !== "HEAD") deps.afterChange();
  });
  const ctx: RequestContext = {
    req,
    res,
    url,
    origin: deps.origin,
    state: deps.state,
    signingKey: deps.signingKey,
    record,
    plainHttp: deps.plainHttp,
    showAccounts: deps.showAccounts,
  };
  try {
    if (await applyFaults(ctx)) return;
    await route(ctx);
  } catch (error) {
    // A bug in the simulator must surface as a 500 the test sees, with the reason in the body.
    const message = error instanceof Error ? error.message : String(error);
    if (!res.headersSent) {
      record.status = 500;
      res.statusCode = 500;
      res.setHeader("content-type", "text/plain; charset=utf-8");
      res.end(`simulator error: ${message}`);
    }
  }
}

async function route(ctx: RequestContext): Promise<void> {
  const segments = ctx.url.pathname.split("/").filter((s) => s.length > 0).map((s) => decodeURIComponent(s));
  const [first, ...rest] = segments;
  const method = ctx.record.method;

  if (first === "_scenario" && (await handleScenarioUpload(ctx, rest))) return;
  if (first === "v1.0" || first === "beta") {
    if (await handleApplicationKeys(ctx, rest)) return;
    await handleGraph(ctx, rest);
    return;
  }
  if (first === "error" && rest.length === 0) {
    const code = ctx.url.searchParams.get("code") ?? "";
    sendHtml(ctx, 200, page("Error lookup", `<h1>AADSTS${code.replace(/\D/g, "")}</h1><p>Error code lookup (simulator).</p>`));
    return;
  }
  if (first === undefined) {
    sendHtml(ctx, 200, page("Entra ID simulator", "<h1>Entra ID + Graph simulator</h1>"));
    return;
  }
  if (await handleDiscovery(ctx, first, rest)) return;

  const tail = rest.join("/");
  if (tail === "oauth2/v2.0/token" && method === "POST") {
    await handleToken(ctx, first);
    return;
  }
  if (tail === "oauth2/v2.0/authorize" && (method === "GET" || method === "POST")) {
    await handleAuthorize(ctx, first);
    return;
  }
  if (tail === "oauth2/v2.0/logout" && method === "GET") {
    handleLogout(ctx);
    return;
  }
  if (tail === "adminconsent" && (method === "GET" || method === "POST")) {
    await handleAdminConsent(ctx, first);
    return;
  }
  if (tail.startsWith("oauth2/")) {
    sendEstsError(ctx, ests.missingParameter("grant_type"), 400);
    return;
  }
  sendGraphError(ctx, 404, "UnknownPath", `The simulator does not serve ${method} ${ctx.url.pathname}`, { innerError: "none" });
}

export { ensureCa } from "./certs";
export type { Fault, FaultInput, Scenario, ScenarioInput } from "./scenario";
