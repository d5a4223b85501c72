import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KeyRing, SealError, sealContext, sealedKeyId } from "@/lib/crypto/seal";

const oldKey = { id: "old", key: randomBytes(32) };
const newKey = { id: "new", key: randomBytes(32) };
const context = sealContext("connections", "client_secret", "row-1");

describe("KeyRing", () => {
  it("seals with the first key and opens again", () => {
    const ring = new KeyRing([newKey, oldKey]);
    const sealed = ring.seal("s3cret-value", context);
    expect(sealed.startsWith("cs1.new.")).toBe(true);
    expect(sealed).not.toContain("s3cret-value");
    expect(ring.open(sealed, context)).toBe("s3cret-value");
  });

  it("produces a different ciphertext for the same value every time", () => {
    const ring = new KeyRing([newKey]);
    expect(ring.seal("same", context)).not.toBe(ring.seal("same", context));
  });

  it("refuses a value pasted into another row or column", () => {
    const ring = new KeyRing([newKey]);
    const sealed = ring.seal("s3cret-value", context);
    expect(() => ring.open(sealed, sealContext("connections", "client_secret", "row-2"))).toThrow(SealError);
    expect(() => ring.open(sealed, sealContext("connections", "refresh_token", "row-1"))).toThrow(SealError);
  });

  it("refuses tampered values and unknown keys", () => {
    const ring = new KeyRing([newKey]);
    const sealed = ring.seal("s3cret-value", context);
    const parts = sealed.split(".");
    const payload = Buffer.from(parts[3]!, "base64url");
    payload[payload.length - 20]! ^= 1;
    parts[3] = payload.toString("base64url");
    expect(() => ring.open(parts.join("."), context)).toThrow(SealError);
    expect(() => new KeyRing([oldKey]).open(sealed, context)).toThrow(/not in the key ring/);
    expect(() => ring.open("plain text", context)).toThrow(/not a sealed value/);
  });

  it("re-seals to the newest key by rewrapping only the data key", () => {
    const sealed = new KeyRing([oldKey]).seal("s3cret-value", context);
    const ring = new KeyRing([newKey, oldKey]);
    const resealed = ring.reseal(sealed, context);
    expect(sealedKeyId(resealed)).toBe("new");
    expect(resealed.split(".")[3]).toBe(sealed.split(".")[3]);
    expect(new KeyRing([newKey]).open(resealed, context)).toBe("s3cret-value");
  });
});
