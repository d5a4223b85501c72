import { describe, expect, it } from "vitest";
import { isNeverEchoed } from "@/lib/action-state";

describe("isNeverEchoed", () => {
  it("holds back anything that could be a secret", () => {
    for (const name of ["password", "confirmPassword", "clientSecret", "setupCode", "token", "apiKey", "currentPassword"]) expect(isNeverEchoed(name), name).toBe(true);
  });

  it("keeps ordinary fields, including a secret's expiry date", () => {
    for (const name of ["email", "displayName", "secretExpiresAt", "name", "role", "expiresAt"]) expect(isNeverEchoed(name), name).toBe(false);
  });
});
