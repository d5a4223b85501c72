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
