import { describe, expect, it } from "vitest";
import type { Check, CheckReport } from "@/lib/checks/schema";
import { EXPIRED_BY_MICROSOFT, secretExpiredByMicrosoft, secretExpiryText } from "@/lib/connections/secret-expiry";

const check = (patch: Partial<Check>): Check => ({ id: "token", status: "pass", title: "t", detail: "d", durationMs: 1, ...patch });
const report = (checks: Check[]): CheckReport => ({
  ok: checks.every((item) => item.status !== "fail"),
  cancelled: false,
  tenantId: "contoso.onmicrosoft.com",
  cloud: "global",
  startedAt: "2026-12-01T00:00:00.000Z",
  durationMs: 10,
  checks,
});
const day = (date: Date) => date.toISOString().slice(0, 10);
const typed = new Date("2027-06-30T00:00:00Z");

describe("Microsoft's verdict on a secret beats the typed date", () => {
  it("says Expired (Microsoft) when the token check failed with AADSTS7000222, whatever date was typed", () => {
    const expired = report([check({ status: "fail", code: "AADSTS7000222" })]);
    expect(secretExpiredByMicrosoft(expired)).toBe(true);
    expect(secretExpiryText({ secretExpiresAt: typed, lastReport: expired }, day)).toBe(EXPIRED_BY_MICROSOFT);
    expect(secretExpiryText({ secretExpiresAt: null, lastReport: expired }, day)).toBe(EXPIRED_BY_MICROSOFT);
  });

  it("shows the typed date for any other outcome, and nothing when neither is known", () => {
    for (const other of [
      report([check({})]),
      report([check({ status: "fail", code: "AADSTS7000215" })]),
      report([check({ id: "calendar", status: "fail", code: "AADSTS7000222" })]),
      null,
      { not: "a report" },
    ]) {
      expect(secretExpiredByMicrosoft(other)).toBe(false);
      expect(secretExpiryText({ secretExpiresAt: typed, lastReport: other }, day)).toBe("2027-06-30");
    }
    expect(secretExpiryText({ secretExpiresAt: null, lastReport: null }, day)).toBeNull();
  });
});
