import { describe, expect, it } from "vitest";
import { configurationWarnings, EnvError, parseEnv } from "@/lib/env";

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
    [{ NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: Buffer.alloc(20).toString("base64") }, /NEXT_SERVER_ACTIONS_ENCRYPTION_KEY must be 16, 24 or 32 bytes in base64/],
    [{ NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: "not base64!" }, /NEXT_SERVER_ACTIONS_ENCRYPTION_KEY must be 16, 24 or 32 bytes/],
    [{ CALSYNC_TEST_ROUTE_HEADER: "yes" }, /CALSYNC_TEST_ROUTE_HEADER must be on or off/],
  ])("names the variable and the problem for %j", (source, message) => {
    expect(() => parseEnv(source)).toThrow(EnvError);
    expect(() => parseEnv(source)).toThrow(message);
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
