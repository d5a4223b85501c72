import { describe, expect, it } from "vitest";
import { passwordSchema } from "@/lib/auth/password-policy";
import { acceptInviteSchema, changePasswordSchema, claimConsoleSchema, createUserSchema } from "@/lib/auth/form-schemas";

function refusal(password: string): string | undefined {
  const result = passwordSchema.safeParse(password);
  return result.success ? undefined : result.error.issues[0]?.message;
}

describe("password policy", () => {
  it.each([
    ["a common password", "password1234", /commonly used password/],
    ["a common password, capitalised", "Password1234", /commonly used password/],
    ["a keyboard row", "qwertyuiop12", /commonly used password/],
    ["a sequence", "abcdefghijklmnop", /sequences like "abc"/i],
    ["a repeated pattern", "abcabcabcabcabc", /Repeated character patterns/],
    ["a name and a number", "johnsmith123", /too easy to guess/],
    ["spaces only", "                ", /only spaces/],
    ["tabs and spaces only", " \t \t \t \t \t \t \t ", /only spaces/],
    ["one character repeated", "zzzzzzzzzzzzzzzz", /same character/],
    ["a run of one character inside a longer password", "horse battery ....... staple", /same character/],
    ["too short", "Xk9#mPq2", /at least 12 characters/],
  ])("refuses %s and says why", (_name, password, why) => {
    expect(refusal(password)).toMatch(why);
  });

  it("never repeats the refused password in its explanation", () => {
    for (const password of ["password1234", "abcdefghijklmnop", "zzzzzzzzzzzzzzzz", "qwertyuiop12", "Password1234", "johnsmith123"]) {
      expect(refusal(password)).toBeDefined();
      expect(refusal(password)).not.toContain(password);
    }
  });

  it.each(["correct horse battery staple", "e2e admin password 1", "Tr0ub4dor&3 elephant", "xK9#mPq2$vL8nR4w"])("accepts %j", (password) => {
    expect(refusal(password)).toBeUndefined();
  });

  it("counts the person's own name and email as easy to guess", () => {
    const claim = claimConsoleSchema.safeParse({
      code: "ABCD-EFGH-JKLM",
      displayName: "Ada Lovelace",
      email: "ada.lovelace@example.com",
      password: "adalovelace2026",
      confirmPassword: "adalovelace2026",
    });
    expect(claim.success).toBe(false);
    expect(claim.error?.issues.find((issue) => issue.path[0] === "password")?.message).toMatch(/personal/);
    const create = createUserSchema.safeParse({
      displayName: "Grace Hopper",
      email: "grace@example.com",
      role: "member",
      password: "GraceHopper1906",
      confirmPassword: "GraceHopper1906",
    });
    expect(create.success).toBe(false);
    expect(create.error?.issues.find((issue) => issue.path[0] === "password")?.message).toMatch(/personal/);
  });

  it("applies wherever a password is chosen", () => {
    const weak = { password: "password1234", confirmPassword: "password1234" };
    for (const [schema, rest] of [
      [claimConsoleSchema, { code: "ABCD-EFGH-JKLM", displayName: "Ada", email: "ada@example.com" }],
      [acceptInviteSchema, { token: "t".repeat(43), displayName: "Ada" }],
      [changePasswordSchema, { currentPassword: "the old one" }],
      [createUserSchema, { displayName: "Ada", email: "ada@example.com", role: "member" }],
    ] as const) {
      const result = schema.safeParse({ ...rest, ...weak });
      expect(result.success).toBe(false);
      expect(result.error?.issues.find((issue) => issue.path[0] === "password")?.message).toMatch(/commonly used password/);
    }
  });
});
