import { describe, expect, it } from "vitest";
import { configurationWarnings, EnvError, parseEnv } from "@/lib/env";

const customCloud = { CALSYNC_CLOUD: "custom", CALSYNC_AUTHORITY_HOST: "https://localhost:8443", CALSYNC_GRAPH_HOST: "https://localhost:8443" };

describe("parseEnv", () => {
  it("applies defaults for the embedded database", () => {
    const env = parseEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PORT).toBe(3000);
    expect(env.dataDir.endsWith("/data")).toBe(true);
    expect(env.CALSYNC_CLOUD).toBe("global");
  });

  it.each([
    [{ PORT: "eighty" }, /PORT must be a port number/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL must be a postgres:\/\//],
    [{ CALSYNC_SEAL_KEYS: "k1:short" }, /CALSYNC_SEAL_KEYS must be a comma-separated list/],
    [{ CALSYNC_SESSION_IDLE_MINUTES: "0" }, /CALSYNC_SESSION_IDLE_MINUTES must be at least 1/],
    [{ CALSYNC_CLOUD: "custom" }, /CALSYNC_AUTHORITY_HOST is required when CALSYNC_CLOUD=custom/],
    [{ CALSYNC_CLOUD: "custom", CALSYNC_AUTHORITY_HOST: "http://x", CALSYNC_GRAPH_HOST: "https://y/path" }, /CALSYNC_AUTHORITY_HOST must be an https:\/\/host\[:port\] URL without a path[\s\S]*CALSYNC_GRAPH_HOST must be/],
    [{ CALSYNC_TRUST_PROXY: "maybe" }, /CALSYNC_TRUST_PROXY must be true or false/],
    [{ CALSYNC_WEBHOOK_ALLOW_HOSTS: "hooks.example.com, http://10.0.0.1/" }, /CALSYNC_WEBHOOK_ALLOW_HOSTS must be a comma-separated list of host names, IP addresses or CIDR ranges[\s\S]*"http:\/\/10\.0\.0\.1\/"/],
    [{ CALSYNC_WEBHOOK_ALLOW_HOSTS: "10.0.0.0/33" }, /CALSYNC_WEBHOOK_ALLOW_HOSTS must be a comma-separated list/],
    [{ CALSYNC_WEBHOOK_ALLOW_HOSTS: "under_score.example" }, /CALSYNC_WEBHOOK_ALLOW_HOSTS must be a comma-separated list/],
    [{ ...customCloud, CALSYNC_AUTHORITY_BROWSER_HOST: "http://sim.example.com:8080" }, /CALSYNC_AUTHORITY_BROWSER_HOST must be an https:\/\/host\[:port\] URL without a path \(http:\/\/ only for localhost/],
    [{ ...customCloud, CALSYNC_AUTHORITY_BROWSER_HOST: "http://127.0.0.1:8080/login" }, /CALSYNC_AUTHORITY_BROWSER_HOST must be/],
    [{ CALSYNC_AUTHORITY_BROWSER_HOST: "http://127.0.0.1:8080" }, /CALSYNC_AUTHORITY_BROWSER_HOST is only for CALSYNC_CLOUD=custom/],
    [{ CALSYNC_DEMO: "sure" }, /CALSYNC_DEMO must be true or false/],
    // The demo's sign-in page names every account: a real console must not turn that on by mistake.
    [{ CALSYNC_DEMO: "true" }, /CALSYNC_DEMO is only for npm run demo/],
    [{ ...customCloud, CALSYNC_DEMO: "true", HOST: "0.0.0.0" }, /CALSYNC_DEMO is only for npm run demo/],
    [{ ...customCloud, CALSYNC_DEMO: "true", HOST: "calsync.example.com" }, /CALSYNC_DEMO is only for npm run demo/],
    [{ NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: Buffer.alloc(20).toString("base64") }, /NEXT_SERVER_ACTIONS_ENCRYPTION_KEY must be 16, 24 or 32 bytes in base64/],
    [{ NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: "not base64!" }, /NEXT_SERVER_ACTIONS_ENCRYPTION_KEY must be 16, 24 or 32 bytes/],
    [{ CALSYNC_TEST_ROUTE_HEADER: "yes" }, /CALSYNC_TEST_ROUTE_HEADER must be on or off/],
  ])("names the variable and the problem for %j", (source, message) => {
    expect(() => parseEnv(source)).toThrow(EnvError);
    expect(() => parseEnv(source)).toThrow(message);
  });

  it("webhook targets are public unless CALSYNC_WEBHOOK_ALLOW_HOSTS lists names, addresses or ranges", () => {
    expect(parseEnv({}).CALSYNC_WEBHOOK_ALLOW_HOSTS).toEqual([]);
    expect(parseEnv({ CALSYNC_WEBHOOK_ALLOW_HOSTS: "" }).CALSYNC_WEBHOOK_ALLOW_HOSTS).toEqual([]);
    expect(parseEnv({ CALSYNC_WEBHOOK_ALLOW_HOSTS: " Hooks.Internal.example. , 127.0.0.1,[::1], 10.20.0.0/16 ,fd00::/8" }).CALSYNC_WEBHOOK_ALLOW_HOSTS).toEqual([
      { kind: "host", name: "hooks.internal.example" },
      { kind: "address", address: "127.0.0.1", prefix: 32, family: "ipv4" },
      { kind: "address", address: "::1", prefix: 128, family: "ipv6" },
      { kind: "address", address: "10.20.0.0", prefix: 16, family: "ipv4" },
      { kind: "address", address: "fd00::", prefix: 8, family: "ipv6" },
    ]);
  });

  it("takes a plain-http browser authority on loopback only, and the demo flag", () => {
    const env = parseEnv({ ...customCloud, CALSYNC_AUTHORITY_BROWSER_HOST: "http://127.0.0.1:8080/", CALSYNC_DEMO: "true" });
    expect(env.CALSYNC_AUTHORITY_BROWSER_HOST).toBe("http://127.0.0.1:8080");
    expect(env.CALSYNC_DEMO).toBe(true);
    expect(parseEnv({ ...customCloud, CALSYNC_AUTHORITY_BROWSER_HOST: "https://login.example.com" }).CALSYNC_AUTHORITY_BROWSER_HOST).toBe("https://login.example.com");
    expect(parseEnv({}).CALSYNC_DEMO).toBe(false);
  });

  it("never echoes the value of a bad secret", () => {
    const secret = "k1:ThisIsNotBase64ButSecret!!";
    expect(() => parseEnv({ CALSYNC_SEAL_KEYS: secret })).toThrow(expect.objectContaining({ message: expect.not.stringContaining("ThisIsNot") }));
  });
});

describe("configurationWarnings", () => {
  const key = Buffer.alloc(32, 7).toString("base64");
  const postgres = { DATABASE_URL: "postgresql://calsync@db.example.com/calsync" };

  it("warns on PostgreSQL without a fixed server-action key, and only there", () => {
    expect(configurationWarnings(parseEnv(postgres))).toEqual([expect.stringMatching(/^NEXT_SERVER_ACTIONS_ENCRYPTION_KEY is not set\. .*several instances/)]);
    expect(configurationWarnings(parseEnv({ ...postgres, NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: key }))).toEqual([]);
    expect(configurationWarnings(parseEnv({}))).toEqual([]);
  });
});
