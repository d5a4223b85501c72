"use client";

import { useActionState, type ReactNode } from "react";
import { Field, FormStateProvider, SubmitButton } from "@/components/action-form";
import { FactorAdded } from "@/components/factor-added";
import { Callout } from "@/components/ui/badge";
import { idleState, type ActionState } from "@/lib/action-state";

type FormAction = (state: ActionState, formData: FormData) => Promise<ActionState>;

/**
 * Setting up an authenticator app: scan the QR code (an SVG rendered on the server, so no script is
 * needed to draw it) or type the key, then prove it works with one code. On success, the recovery
 * codes (when this was the first factor) are shown here once, and `next` says where to go on.
 */
export function TotpSetup({ action, qrSvg, secret, next }: { action: FormAction; qrSvg: string; secret: string; next?: ReactNode }) {
  const [state, formAction] = useActionState(action, idleState);
  if (state.status === "success") return <FactorAdded state={state} next={next} />;
  return (
    <div className="space-y-4">
      <ol className="list-decimal space-y-1 pl-5 text-sm">
        <li>Open your authenticator app (Microsoft Authenticator, Google Authenticator, 1Password, …) and add an account.</li>
        <li>Scan this QR code, or type the setup key below.</li>
        <li>Enter the 6-digit code the app shows.</li>
      </ol>
      <div role="img" aria-label="QR code for your authenticator app" className="h-48 w-48 rounded-md bg-white" dangerouslySetInnerHTML={{ __html: qrSvg }} />
      <p className="text-sm">
        Setup key: <code className="break-all select-all font-mono">{secret.replace(/(.{4})/g, "$1 ").trim()}</code>
      </p>
      <FormStateProvider state={state}>
        <form action={formAction} className="space-y-4" noValidate>
          <Field name="code" label="6-digit code" autoComplete="one-time-code" />
          <div aria-live="polite" role="status">
            {state.status === "error" && <Callout tone="danger">{state.message}</Callout>}
          </div>
          <SubmitButton label="Turn on" variant="primary" />
        </form>
      </FormStateProvider>
    </div>
  );
}
