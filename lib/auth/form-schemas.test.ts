import { describe, expect, it } from "vitest";
import { safeReturnPath, signInPath, signInSchema } from "@/lib/auth/form-schemas";

/**
 * A return path is what the browser is sent to after signing in. Browsers strip tab, CR and LF from
 * URLs and read a backslash as a slash, so anything that a browser could turn into another origin
 * must come back as "/".
 */
describe("safeReturnPath", () => {
  it.each([
    ["/connect", "/connect"],
    ["/", "/"],
    ["/connections/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c04?verify=1#checks", "/connections/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c04?verify=1#checks"],
    ["/status?state=failing&q=contoso", "/status?state=failing&q=contoso"],
    ["/connect/link/AbC_def-0123456789abcdefghij", "/connect/link/AbC_def-0123456789abcdefghij"],
  ])("keeps the same-site path %j", (value, expected) => {
    expect(safeReturnPath(value)).toBe(expected);
  });

  it.each([
    ["tab", "/\t/evil.example/"],
    ["carriage return", "/\r/evil.example/"],
    ["line feed", "/\n/evil.example/"],
    ["line feed inside a path", "/connect\nSet-Cookie: x=1"],
    ["NUL", "/\u0000/evil.example"],
    ["DEL", "/\u007f/evil.example"],
    ["backslash", "/\\evil.example"],
    ["two backslashes", "\\\\evil.example"],
    ["slash and backslash", "\\/evil.example"],
    ["protocol-relative", "//evil.example/"],
    ["three slashes", "///evil.example/"],
    ["encoded tab (decoded once by the framework, still encoded)", "/%09/evil.example/"],
    ["encoded slash", "/%2F/evil.example/"],
    ["encoded backslash", "/%5Cevil.example/"],
    ["double-encoded tab", "%2F%09%2Fevil.example%2F"],
    ["double-encoded slashes in a path", "/%252F/evil.example"],
    ["absolute https URL", "https://evil.example/"],
    ["absolute URL without slashes", "https:evil.example"],
    ["javascript URL", "javascript:alert(document.domain)"],
    ["data URL", "data:text/html,<script>alert(1)</script>"],
    ["dot segments that resolve to //", "/a/../..//evil.example/"],
    ["encoded dot segments", "/a/%2e%2e/%2e%2e//evil.example/"],
    ["leading space", " /connect"],
    ["empty", ""],
    ["very long", `/${"a".repeat(3000)}`],
  ])("refuses %s", (_name, value) => {
    expect(safeReturnPath(value)).toBe("/");
  });

  it("refuses a missing value", () => {
    expect(safeReturnPath(undefined)).toBe("/");
  });
});

describe("signInPath", () => {
  it("carries a safe return path", () => {
    expect(signInPath("/connect/link/abc")).toBe("/sign-in?next=%2Fconnect%2Flink%2Fabc");
    expect(signInPath()).toBe("/sign-in");
  });

  it("drops an unsafe one, even when built from a decoded route parameter", () => {
    expect(signInPath("/connect/link/../..//evil.example/")).toBe("/sign-in?next=%2F");
    expect(signInPath("/connect/\t/evil.example")).toBe("/sign-in?next=%2F");
  });
});

describe("signInSchema", () => {
  it("reduces an unsafe next to / instead of refusing the sign-in", () => {
    const parsed = signInSchema.parse({ email: "a@example.com", password: "x", next: "/\n/evil.example/" });
    expect(parsed.next).toBe("/");
    expect(signInSchema.parse({ email: "a@example.com", password: "x", next: `/${"a".repeat(3000)}` }).next).toBe("/");
  });
});
