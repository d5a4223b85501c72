import "server-only";
import type { CheckInput } from "@/lib/checks/schema";
import type { ClientCredential } from "@/lib/entra/msal-client";

/** The credential a check or the token broker signs in with: the certificate when there is one, else the secret. */
export function credentialOfInput(input: Pick<CheckInput, "clientSecret" | "certificate">): ClientCredential {
  return input.certificate ? { kind: "certificate", ...input.certificate } : { kind: "secret", secret: input.clientSecret };
}
