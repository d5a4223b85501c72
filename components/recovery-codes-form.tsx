"use client";

import { useActionState } from "react";
import { SubmitButton } from "@/components/action-form";
import { RecoveryCodes } from "@/components/recovery-codes";
import { idleState, type ActionState } from "@/lib/action-state";

type FormAction = (state: ActionState, formData: FormData) => Promise<ActionState>;

/** Makes new recovery codes and shows them once, in the same place as after enrolment. */
export function RecoveryCodesForm({ action }: { action: FormAction }) {
  const [state, formAction] = useActionState(action, idleState);
  return (
    <form action={formAction} className="space-y-3">
      <div aria-live="polite" role="status">
        {state.status === "error" && <p className="rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">{state.message}</p>}
        {state.status === "success" && <p className="text-sm">{state.message}</p>}
      </div>
      {state.status === "success" && state.reveal && <RecoveryCodes codes={state.reveal.value.split(" ")} />}
      <SubmitButton label="Make new recovery codes" variant="secondary" />
    </form>
  );
}
