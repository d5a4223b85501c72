"use client";

import { startAuthentication, startRegistration } from "@simplewebauthn/browser";
import { useId, useState, type ReactNode } from "react";
import { FactorAdded } from "@/components/factor-added";
import { Callout } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { idleState, type ActionState } from "@/lib/action-state";

type FormAction = (state: ActionState, formData: FormData) => Promise<ActionState>;

/**
 * A passkey ceremony: the server's options, the browser's prompt, the server's verification. `register`
 * adds a passkey (named by the person); `authenticate` answers a sign-in's second step.
 */
export function PasskeyButton({
  mode,
  optionsAction,
  finishAction,
  label,
  next,
}: {
  mode: "register" | "authenticate";
  optionsAction: FormAction;
  finishAction: FormAction;
  label: string;
  next?: ReactNode;
}) {
  const [state, setState] = useState<ActionState>(idleState);
  const [working, setWorking] = useState(false);
  const [name, setName] = useState("Passkey");
  const nameId = useId();

  async function run() {
    setWorking(true);
    try {
      const options = await optionsAction(idleState, new FormData());
      if (options.status !== "success" || !options.payload) {
        setState(options.status === "idle" ? { status: "error", message: "No answer from the console. Try again." } : options);
        return;
      }
      const optionsJSON = JSON.parse(options.payload);
      let answer: unknown;
      try {
        answer = mode === "register" ? await startRegistration({ optionsJSON }) : await startAuthentication({ optionsJSON });
      } catch (error) {
        setState({ status: "error", message: `Your browser gave no passkey${error instanceof Error ? ` (${error.message})` : ""}. Try again, or use another way.` });
        return;
      }
      const form = new FormData();
      form.set("response", JSON.stringify(answer));
      if (mode === "register") form.set("name", name);
      setState((await finishAction(idleState, form)) ?? idleState);
    } finally {
      setWorking(false);
    }
  }

  if (state.status === "success" && mode === "register") return <FactorAdded state={state} next={next} />;
  return (
    <div className="space-y-3">
      {mode === "register" && (
        <div>
          <label htmlFor={nameId} className="block text-sm font-medium text-fg">
            Passkey name
          </label>
          <input
            id={nameId}
            value={name}
            onChange={(event) => setName(event.target.value)}
            maxLength={60}
            className="mt-1 block w-full rounded-md border border-line-strong bg-surface px-3 py-2 text-sm text-fg focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-focus"
          />
        </div>
      )}
      <div aria-live="polite" role="status">
        {state.status === "error" && <Callout tone="danger">{state.message}</Callout>}
      </div>
      <Button variant="primary" onClick={run} disabled={working}>
        {working ? "Working…" : label}
      </Button>
    </div>
  );
}
