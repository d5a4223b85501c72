import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";

/**
 * The one place that reads process.env. Everything is validated with zod, and a bad value stops
 * start-up with a message that names the variable and says what is wrong.
 *
 * scripts/start.mjs and scripts/server.mjs load this file with Node's type stripping, before Next.js
 * exists in the process: keep it erasable TypeScript with no `@/` imports.
 */

const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((value) => value === "true" || value === "1" || value === "yes");

const positiveInt = (max: number) =>
  z.coerce
    .number({ message: "must be a whole number" })
    .int({ message: "must be a whole number" })
    .min(1, { message: "must be at least 1" })
    .max(max, { message: `must be at most ${max}` });

/** A bare origin (`scheme://host[:port]`, no path, query or fragment) whose URL `secure` accepts. */
const originOf = (secure: (url: URL) => boolean, message: string) =>
  z
    .string()
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          return secure(url) && (url.pathname === "/" || url.pathname === "") && !url.search && !url.hash;
        } catch {
          return false;
        }
      },
      { message },
    )
    .transform((value) => new URL(value).origin);

const httpsOrigin = originOf((url) => url.protocol === "https:", "must be an https://host[:port] URL without a path");

const loopbackHostnames = new Set(["localhost", "127.0.0.1", "[::1]"]);

function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || (isIP(host) === 4 && host.startsWith("127."));
}

/** Where browsers are sent to sign in: https, or plain http on loopback only (a local simulator). */
const browserOrigin = originOf(
  (url) => url.protocol === "https:" || (url.protocol === "http:" && loopbackHostnames.has(url.hostname)),
  "must be an https://host[:port] URL without a path (http:// only for localhost, 127.0.0.1 or [::1])",
);

const emptyAsUndefined = (value: unknown) => (value === "" ? undefined : value);

/** One CALSYNC_WEBHOOK_ALLOW_HOSTS entry: a host name as written in a webhook URL, or an address range. */
export type WebhookAllowEntry = { kind: "host"; name: string } | { kind: "address"; address: string; prefix: number; family: "ipv4" | "ipv6" };

const hostNamePattern = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Parses `hooks.internal.example`, `10.0.0.5`, `[::1]` or `10.20.0.0/16`; null when it is none of these. */
export function parseWebhookAllowEntry(raw: string): WebhookAllowEntry | null {
  const entry = raw.trim().toLowerCase();
  const [base = "", prefixText, extra] = entry.split("/");
  if (extra !== undefined) return null;
  const address = base.startsWith("[") && base.endsWith("]") ? base.slice(1, -1) : base;
  const version = isIP(address);
  if (version !== 0) {
    const bits = version === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
    if (prefix < 0 || prefix > bits) return null;
    return { kind: "address", address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
  }
  const name = base.replace(/\.$/, "");
  return prefixText === undefined && hostNamePattern.test(name) ? { kind: "host", name } : null;
}

const webhookAllowHosts = z
  .string()
  .transform((value, ctx) => {
    const entries: WebhookAllowEntry[] = [];
    for (const raw of value.split(",").filter((item) => item.trim())) {
      const entry = parseWebhookAllowEntry(raw);
      if (!entry) {
        ctx.addIssue({
          code: "custom",
          message: `must be a comma-separated list of host names, IP addresses or CIDR ranges (such as hooks.internal.example, 10.0.0.5, 10.20.0.0/16); "${raw.trim()}" is none of these`,
        });
        return z.NEVER;
      }
      entries.push(entry);
    }
    return entries;
  });

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    CALSYNC_DATA_DIR: z.string().min(1).default("./data"),
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .refine((value) => /^postgres(ql)?:\/\//.test(value), {
          message: "must be a postgres:// or postgresql:// URL (leave it unset to use the embedded database)",
        })
        .optional(),
    ),
    CALSYNC_DB_QUERY_TIMEOUT_SECONDS: positiveInt(3600).default(15),
    CALSYNC_DB_CONNECT_TIMEOUT_SECONDS: positiveInt(600).default(5),
    CALSYNC_DB_IDLE_TIMEOUT_SECONDS: positiveInt(3600).default(10),
    HOST: z.string().min(1).default("127.0.0.1"),
    PORT: z.coerce.number({ message: "must be a port number" }).int().min(1).max(65535).default(3000),
    CALSYNC_PUBLIC_URL: z.preprocess(
      emptyAsUndefined,
      z
        .url({ message: "must be an absolute http(s) URL, such as https://calsync.example.com" })
        .refine((value) => /^https?:\/\//.test(value), { message: "must start with http:// or https://" })
        .transform((value) => value.replace(/\/+$/, ""))
        .optional(),
    ),
    CALSYNC_SEAL_KEYS: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .refine((value) => parseKeyRing(value) !== null, {
          message:
            "must be a comma-separated list of id:base64 entries, each key 32 bytes (e.g. k2026:<44 base64 characters>); the first one seals new values",
        })
        .optional(),
    ),
    CALSYNC_SESSION_IDLE_MINUTES: positiveInt(60 * 24 * 30).default(120),
    CALSYNC_SESSION_ABSOLUTE_HOURS: positiveInt(24 * 90).default(12),
    CALSYNC_TRUST_PROXY: booleanFlag.default(false),
    CALSYNC_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
    CALSYNC_CLOUD: z.enum(["global", "usgov", "usgov-dod", "china", "custom"]).default("global"),
    CALSYNC_AUTHORITY_HOST: z.preprocess(emptyAsUndefined, httpsOrigin.optional()),
    CALSYNC_GRAPH_HOST: z.preprocess(emptyAsUndefined, httpsOrigin.optional()),
    CALSYNC_AUTHORITY_BROWSER_HOST: z.preprocess(emptyAsUndefined, browserOrigin.optional()),
    CALSYNC_DEMO: booleanFlag.default(false),
    CALSYNC_SCHEDULER: z.enum(["on", "off"], { message: "must be on or off" }).default("on"),
    CALSYNC_CHECK_INTERVAL_MINUTES: positiveInt(60 * 24 * 7).default(360),
    CALSYNC_CERT_RENEW_DAYS: positiveInt(365).default(30),
    CALSYNC_CHECK_CONCURRENCY: positiveInt(64).default(4),
    CALSYNC_RETENTION_DAYS: positiveInt(3650).default(90),
    CALSYNC_SMTP_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .refine((value) => /^smtps?:\/\//.test(value), { message: "must be an smtp:// or smtps:// URL" })
        .optional(),
    ),
    CALSYNC_SMTP_FROM: z.preprocess(emptyAsUndefined, z.email({ message: "must be an email address" }).optional()),
    CALSYNC_API_RATE_LIMIT_PER_MINUTE: positiveInt(100_000).default(600),
    CALSYNC_WEBHOOK_ALLOW_HOSTS: webhookAllowHosts.default([]),
    CALSYNC_PROVISION_REPLICATION_MINUTES: positiveInt(120).default(10),
    NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .refine((value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && [16, 24, 32].includes(Buffer.from(value, "base64").length), {
          message: "must be 16, 24 or 32 bytes in base64 (e.g. from: openssl rand -base64 32)",
        })
        .optional(),
    ),
    CALSYNC_TEST_ROUTE_HEADER: z.enum(["on", "off"], { message: "must be on or off" }).default("off"),
  })
  .superRefine((value, ctx) => {
    if (value.CALSYNC_CLOUD === "custom") {
      for (const key of ["CALSYNC_AUTHORITY_HOST", "CALSYNC_GRAPH_HOST"] as const) {
        if (!value[key]) ctx.addIssue({ code: "custom", path: [key], message: "is required when CALSYNC_CLOUD=custom" });
      }
    } else if (value.CALSYNC_AUTHORITY_BROWSER_HOST) {
      ctx.addIssue({ code: "custom", path: ["CALSYNC_AUTHORITY_BROWSER_HOST"], message: "is only for CALSYNC_CLOUD=custom" });
    }
    // The demo's sign-in page names every account to anyone who opens it.
    if (value.CALSYNC_DEMO && (value.CALSYNC_CLOUD !== "custom" || !isLoopbackHost(value.HOST))) {
      ctx.addIssue({
        code: "custom",
        path: ["CALSYNC_DEMO"],
        message: "is only for npm run demo: it needs CALSYNC_CLOUD=custom (a simulated Microsoft) and HOST on loopback (localhost, 127.0.0.1 or ::1)",
      });
    }
  });

export type Env = z.infer<typeof envSchema> & { dataDir: string };

export class EnvError extends Error {
  override name = "EnvError";
}

export type KeyRingEntry = { id: string; key: Buffer };

/** Parses `id:base64,id:base64`; returns null when any entry is malformed. */
export function parseKeyRing(value: string): KeyRingEntry[] | null {
  const entries: KeyRingEntry[] = [];
  for (const part of value.split(",").map((item) => item.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=_-]+)$/.exec(part);
    if (!match) return null;
    const key = Buffer.from(match[2]!, "base64");
    if (key.length !== 32) return null;
    if (entries.some((entry) => entry.id === match[1])) return null;
    entries.push({ id: match[1]!, key });
  }
  return entries.length > 0 ? entries : null;
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join(".") || "environment";
      return `  ${name} ${issue.message}`;
    });
    throw new EnvError(`Invalid configuration:\n${lines.join("\n")}\nSee .env.example for every variable.`);
  }
  return { ...result.data, dataDir: path.resolve(result.data.CALSYNC_DATA_DIR) };
}

/**
 * Settings that are valid but will hurt in the deployment they describe; `npm start` prints them.
 * Several instances share a PostgreSQL database, and Next.js embeds a random server-action key in
 * each build unless this variable fixes it, so a form rendered by one instance fails on another.
 */
export function configurationWarnings(env: Env): string[] {
  const warnings: string[] = [];
  if (env.DATABASE_URL && !env.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY) {
    warnings.push(
      "NEXT_SERVER_ACTIONS_ENCRYPTION_KEY is not set. With PostgreSQL you may run several instances; give every build the same key (openssl rand -base64 32), or forms fail when a request reaches an instance other than the one that rendered them.",
    );
  }
  return warnings;
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Tests and scripts that change configuration at run time call this to re-read it. */
export function resetEnvCache(): void {
  cached = undefined;
}

/**
 * Fixes CALSYNC_DATA_DIR as an absolute path before the process changes its working directory, so a
 * relative value keeps meaning the folder the console was started from.
 */
export function pinDataDirBeforeChdir(env: Env): void {
  process.env.CALSYNC_DATA_DIR = env.dataDir;
  resetEnvCache();
}
