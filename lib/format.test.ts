import { describe, expect, it } from "vitest";
import { formatRelative, isMicrosoftErrorCode } from "@/lib/format";

const now = new Date("2026-03-10T12:00:00Z");
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);

describe("formatRelative", () => {
  it("says how long ago, in the largest whole unit", () => {
    expect(formatRelative(at(-20_000), now)).toBe("just now");
    expect(formatRelative(at(-5 * 60_000), now)).toBe("5 min ago");
    expect(formatRelative(at(-(3 * 3_600_000 + 59 * 60_000)), now)).toBe("3 h ago");
    expect(formatRelative(at(-86_400_000), now)).toBe("1 day ago");
    expect(formatRelative(at(-12 * 86_400_000), now)).toBe("12 days ago");
  });

  it("says how long ahead for future dates", () => {
    expect(formatRelative(at(2 * 3_600_000), now)).toBe("in 2 h");
    expect(formatRelative(at(29 * 86_400_000), now)).toBe("in 29 days");
  });

  it("gives the date itself beyond 60 days", () => {
    expect(formatRelative(at(-90 * 86_400_000), now)).toBe("10 Dec 2025");
  });
});

describe("isMicrosoftErrorCode", () => {
  it("keeps Microsoft's codes and leaves out the console's own", () => {
    for (const code of ["AADSTS50020", "ErrorAccessDenied", "Authorization_RequestDenied"]) expect(isMicrosoftErrorCode(code), code).toBe(true);
    for (const code of ["no-roles", "timeout", "invalid_grant", "no-saved-sign-in", "AADSTS"]) expect(isMicrosoftErrorCode(code), code).toBe(false);
  });
});
