import { describe, expect, it } from "vitest";
import { passkeySupport } from "@/lib/auth/mfa/passkeys";

const env = (publicUrl: string | undefined, host = "127.0.0.1") => ({ CALSYNC_PUBLIC_URL: publicUrl, HOST: host, PORT: 3000 });

describe("where passkeys are offered", () => {
  it("offers them on https and on http://localhost, with the host as the relying party", () => {
    expect(passkeySupport(env("https://calsync.example.com"))).toEqual({ ok: true, rpId: "calsync.example.com", origin: "https://calsync.example.com" });
    expect(passkeySupport(env("http://localhost:3331"))).toEqual({ ok: true, rpId: "localhost", origin: "http://localhost:3331" });
  });

  it("says why not on an IP address, even over https, or on plain http elsewhere", () => {
    expect(passkeySupport(env(undefined))).toEqual({ ok: false, reason: expect.stringContaining("never allow them on an IP address") });
    expect(passkeySupport(env("https://10.0.0.5"))).toEqual({ ok: false, reason: expect.stringContaining("IP address") });
    expect(passkeySupport(env("https://[2001:db8::1]"))).toEqual({ ok: false, reason: expect.stringContaining("IP address") });
    expect(passkeySupport(env("http://calsync.internal:8080"))).toEqual({ ok: false, reason: expect.stringContaining("only on https://") });
  });
});
