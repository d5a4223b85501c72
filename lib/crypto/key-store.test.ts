import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keyFilePath, KeyConfigError, loadKeyRing, resealAll, SEALED_COLUMNS } from "@/lib/crypto/key-store";
import { KeyRing } from "@/lib/crypto/seal";
import { openDatabase, type Database } from "@/lib/db/client";
import { parseEnv } from "@/lib/env";

const entry = (id: string) => `${id}:${randomBytes(32).toString("base64")}`;

/** `table.column` of every column in the schema whose database name ends in "sealed". */
async function sealedColumnsInSchema(): Promise<string[]> {
  const schema = await readFile(path.join(process.cwd(), "prisma/schema.prisma"), "utf8");
  return [...schema.matchAll(/^model \w+ \{([\s\S]*?)^\}/gm)].flatMap(([, body]) => {
    const table = /@@map\("([^"]+)"\)/.exec(body!)?.[1];
    const columns = [...body!.matchAll(/^\s+(\w+)\s+\S+.*?(?:@map\("([^"]+)"\))?\s*$/gm)].map(([, field, mapped]) => mapped ?? field!);
    return columns.filter((column) => column.endsWith("sealed")).map((column) => `${table}.${column}`);
  });
}

describe("seal key store", () => {
  it("re-seals every sealed column of the schema, so a rotation leaves nothing under the old key", async () => {
    const inSchema = await sealedColumnsInSchema();
    expect(inSchema.length).toBeGreaterThan(10);
    expect(SEALED_COLUMNS.map(({ table, column }) => `${table}.${column}`).sort()).toEqual(inSchema.sort());
  });

  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  async function setup() {
    const dataDir = await mkdtemp(path.join(tmpdir(), "calsync-keys-"));
    database = await openDatabase({ kind: "pglite" });
    return { dataDir, sql: database.sql };
  }

  it("generates a private key file on first start and reuses it afterwards", async () => {
    const { dataDir, sql } = await setup();
    const env = parseEnv({ CALSYNC_DATA_DIR: dataDir });
    const first = await loadKeyRing(env, sql);
    const info = await stat(keyFilePath(dataDir));
    expect(info.mode & 0o777).toBe(0o600);
    const second = await loadKeyRing(env, sql);
    expect(second.activeKeyId).toBe(first.activeKeyId);
  });

  it("refuses to start, and creates nothing, when the key file is missing but sealed data exists", async () => {
    const { dataDir, sql } = await setup();
    const env = parseEnv({ CALSYNC_DATA_DIR: dataDir });
    await loadKeyRing(env, sql);
    const { rm } = await import("node:fs/promises");
    await rm(keyFilePath(dataDir));
    await expect(loadKeyRing(env, sql)).rejects.toThrow(/missing, but the database holds 1 sealed value/);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it("refuses a corrupt key file without touching it", async () => {
    const { dataDir, sql } = await setup();
    await writeFile(keyFilePath(dataDir), "garbage!!", { mode: 0o600 });
    await expect(loadKeyRing(parseEnv({ CALSYNC_DATA_DIR: dataDir }), sql)).rejects.toThrow(KeyConfigError);
    expect(await readFile(keyFilePath(dataDir), "utf8")).toBe("garbage!!");
  });

  it("refuses a key ring that cannot open what the database holds", async () => {
    const { dataDir, sql } = await setup();
    await loadKeyRing(parseEnv({ CALSYNC_DATA_DIR: dataDir, CALSYNC_SEAL_KEYS: entry("k1") }), sql);
    await expect(loadKeyRing(parseEnv({ CALSYNC_DATA_DIR: dataDir, CALSYNC_SEAL_KEYS: entry("k1") }), sql)).rejects.toThrow(/not the key the database was sealed with/);
    await expect(loadKeyRing(parseEnv({ CALSYNC_DATA_DIR: dataDir, CALSYNC_SEAL_KEYS: entry("k2") }), sql)).rejects.toThrow(/sealed with key "k1", which is not in the key ring/);
  });

  it("requires CALSYNC_SEAL_KEYS with PostgreSQL", async () => {
    const { dataDir, sql } = await setup();
    await expect(loadKeyRing(parseEnv({ CALSYNC_DATA_DIR: dataDir, DATABASE_URL: "postgres://db/x" }), sql)).rejects.toThrow(/CALSYNC_SEAL_KEYS is required/);
  });

  it("rotates to the newest key so the old key can be dropped", async () => {
    const { dataDir, sql } = await setup();
    const k1 = entry("k1");
    await loadKeyRing(parseEnv({ CALSYNC_DATA_DIR: dataDir, CALSYNC_SEAL_KEYS: k1 }), sql);
    const k2 = entry("k2");
    const ring = await loadKeyRing(parseEnv({ CALSYNC_DATA_DIR: dataDir, CALSYNC_SEAL_KEYS: `${k2},${k1}` }), sql);
    expect(ring).toBeInstanceOf(KeyRing);
    await resealAll(ring, sql);
    const onlyNew = await loadKeyRing(parseEnv({ CALSYNC_DATA_DIR: dataDir, CALSYNC_SEAL_KEYS: k2 }), sql);
    expect(onlyNew.activeKeyId).toBe("k2");
  });
});
