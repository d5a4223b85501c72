"use client";

import type { ReactNode } from "react";
import { OneTimeValueDialog } from "@/components/action-form";
import { Callout } from "@/components/ui/badge";
import type { ActionState } from "@/lib/action-state";

/**
 * After a second factor is set up: what happened, the recovery codes (when this was the first factor)
 * in the dialog that shows a value once, and where to go on.
 */
export function FactorAdded({ state, next }: { state: Extract<ActionState, { status: "success" }>; next?: ReactNode }) {
  return (
    <div className="space-y-4">
      <Callout tone="success" role="status">
        {state.message}
        {state.reveal && " Your recovery codes were shown once and are not shown again."}
      </Callout>
      {state.reveal && <OneTimeValueDialog key={state.reveal.value} label={state.reveal.label} value={state.reveal.value} message="Each code signs you in once if you lose your second factor." />}
      {next}
    </div>
  );
}
