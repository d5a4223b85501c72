import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { KeyRingEntry } from "@/lib/env";

/**
 * Envelope sealing with AES-256-GCM. Each value gets its own data key; the data key is wrapped with a
 * key-ring key named by id. Both layers authenticate the context string (table, column and row), so a
 * sealed value copied into another row or column fails to open. Re-sealing to a new key only rewraps
 * the data key.
 *
 * Format: `cs1.<keyId>.<wrapped data key>.<payload>`, each part base64url of `iv ‖ ciphertext ‖ tag`.
 */

const VERSION = "cs1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SealError extends Error {
  override name = "SealError";
}

/** The associated data that ties a sealed value to exactly one place in the database. */
export function sealContext(table: string, column: string, rowId: string | number | bigint): string {
  return `${table}.${column}:${String(rowId)}`;
}

function encrypt(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString("base64url");
}

function decrypt(key: Buffer, encoded: string, aad: string): Buffer {
  const raw = Buffer.from(encoded, "base64url");
  if (raw.length < IV_BYTES + TAG_BYTES) throw new SealError("sealed value is truncated");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SealError("sealed value does not open with this key in this place (wrong key, wrong row or column, or tampered)");
  }
}

type Parsed = { keyId: string; wrappedKey: string; payload: string };

function parse(sealed: string): Parsed {
  const parts = sealed.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SealError("not a sealed value");
  return { keyId: parts[1]!, wrappedKey: parts[2]!, payload: parts[3]! };
}

export function sealedKeyId(sealed: string): string {
  return parse(sealed).keyId;
}

export class KeyRing {
  private readonly keys: Map<string, Buffer>;
  readonly activeKeyId: string;

  constructor(entries: readonly KeyRingEntry[]) {
    if (entries.length === 0) throw new SealError("the key ring is empty");
    this.keys = new Map(entries.map((entry) => [entry.id, entry.key]));
    this.activeKeyId = entries[0]!.id;
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** The ring's entries, newest first: only for writing the embedded key file during rotation. */
  entries(): KeyRingEntry[] {
    return [...this.keys.entries()].map(([id, key]) => ({ id, key }));
  }

  private key(keyId: string): Buffer {
    const key = this.keys.get(keyId);
    if (!key) throw new SealError(`key "${keyId}" is not in the key ring`);
    return key;
  }

  seal(plaintext: string, context: string): string {
    const dataKey = randomBytes(32);
    const wrappedKey = encrypt(this.key(this.activeKeyId), dataKey, `dek:${context}`);
    const payload = encrypt(dataKey, Buffer.from(plaintext, "utf8"), context);
    return [VERSION, this.activeKeyId, wrappedKey, payload].join(".");
  }

  open(sealed: string, context: string): string {
    const { keyId, wrappedKey, payload } = parse(sealed);
    const dataKey = decrypt(this.key(keyId), wrappedKey, `dek:${context}`);
    return decrypt(dataKey, payload, context).toString("utf8");
  }

  /** Rewraps the data key with the active key; the payload itself is untouched. */
  reseal(sealed: string, context: string): string {
    const { keyId, wrappedKey, payload } = parse(sealed);
    if (keyId === this.activeKeyId) return sealed;
    const dataKey = decrypt(this.key(keyId), wrappedKey, `dek:${context}`);
    const rewrapped = encrypt(this.key(this.activeKeyId), dataKey, `dek:${context}`);
    return [VERSION, this.activeKeyId, rewrapped, payload].join(".");
  }
}
