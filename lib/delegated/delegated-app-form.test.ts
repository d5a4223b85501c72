import { describe, expect, it } from "vitest";
import { cleanDelegatedAppForm } from "@/lib/delegated/delegated-app-form";
import { UserFacingError } from "@/lib/errors";

const form = {
  cloud: "global" as const,
  clientId: "11111111-1111-4111-8111-111111111111",
  homeTenant: "7a1c2e3f-4b5d-4c6e-8f70-819a2b3c4d5e",
  audience: "organizations" as const,
  credentialKind: "certificate" as const,
  expectedVersion: 0,
};

function fieldErrors(run: () => unknown): Record<string, string> {
  try {
    run();
  } catch (error) {
    if (error instanceof UserFacingError) return error.fieldErrors;
    throw error;
  }
  return {};
}

describe("the mailbox sign-in app's Object ID and Certificate ID", () => {
  it("are optional, and flagged when the Object ID is the client or tenant ID or either is no GUID", () => {
    expect(fieldErrors(() => cleanDelegatedAppForm(form))).toEqual({});
    expect(fieldErrors(() => cleanDelegatedAppForm({ ...form, applicationObjectId: form.clientId })).applicationObjectId).toMatch(/That is the Application \(client\) ID/);
    expect(fieldErrors(() => cleanDelegatedAppForm({ ...form, applicationObjectId: form.homeTenant })).applicationObjectId).toMatch(/That is the Directory \(tenant\) ID/);
    expect(fieldErrors(() => cleanDelegatedAppForm({ ...form, certificateKeyId: "nope" })).certificateKeyId).toMatch(/GUID/);
  });
});
