/** The one state shape every form action returns (shared by server actions and client forms). */
export type ActionState =
  | { status: "idle" }
  | { status: "success"; message: string; reveal?: { label: string; value: string }; /** For a client that goes on with it (WebAuthn options as JSON). */ payload?: string }
  | {
      status: "error";
      message: string;
      fieldErrors?: Record<string, string>;
      code?: "forbidden" | "unauthenticated" | "invalid" | "failed" | "unavailable";
      /** What the person typed, so a rejected form keeps it; secret-like fields are never echoed. */
      values?: Record<string, string>;
    };

export const idleState: ActionState = { status: "idle" };

// A date such as a secret's expiry is not itself secret, and losing it after an error was a complaint.
const NEVER_ECHOED = /password|secret(?!ExpiresAt$)|token|code|key/i;

/** Whether a rejected form's field is left empty because its value could be a secret (the field then asks for it again). */
export function isNeverEchoed(fieldName: string): boolean {
  return NEVER_ECHOED.test(fieldName);
}
