import { describe, expect, it } from "vitest";
import { decodeAccessTokenClaims } from "@/lib/graph/access-token";

const part = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const jwt = (claims: unknown) => `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJl`;

describe("decodeAccessTokenClaims", () => {
  it("reads the claims the console uses, whatever base64url characters and padding the payload needs", () => {
    // "name" holds characters that encode to "-" and "_" and need a multi-byte decode.
    const claims = { roles: ["Calendars.ReadWrite"], tid: "t", aud: "https://graph.microsoft.com", exp: 1_900_000_000, name: "Ünïcødé ~~~ ???>>>" };
    const token = jwt(claims);
    expect(token.split(".")[1]).toMatch(/[-_]/);
    expect(decodeAccessTokenClaims(token)).toEqual(claims);
    for (const padding of ["x", "xx", "xxx"]) expect(decodeAccessTokenClaims(jwt({ ...claims, name: padding }))?.exp).toBe(1_900_000_000);
  });

  it("answers undefined for anything that is not a token with readable claims", () => {
    for (const token of ["", "not-a-jwt", "a.%%%.c", `a.${part("not json")}.c`, jwt(["an", "array"]), jwt("text"), jwt({ exp: "tomorrow" }), jwt({ roles: "one" })]) {
      expect(decodeAccessTokenClaims(token), token).toBeUndefined();
    }
  });
});
