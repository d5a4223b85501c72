"use client";

import { useId } from "react";
import { parseScriptOutput } from "@/lib/entra/script-output";

/**
 * The box the setup script's output is pasted into. As soon as text arrives, the values it finds are
 * copied into the form's fields of the same names, where they can still be corrected; the server
 * reads the pasted text again, so nothing depends on this script running.
 */
export function ScriptOutputPaste({ name, label, hint }: { name: string; label: string; hint: string }) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-fg">
        {label}
      </label>
      <p id={`${id}-hint`} className="text-xs text-fg-muted">
        {hint}
      </p>
      <textarea
        id={id}
        name={name}
        rows={6}
        spellCheck={false}
        autoComplete="off"
        aria-describedby={`${id}-hint`}
        className="mt-1 block w-full rounded border border-line-strong px-3 py-2 font-mono text-xs focus:outline-none focus-visible:ring-2 focus-visible:ring-focus"
        onChange={(event) => {
          const form = event.currentTarget.form;
          if (!form) return;
          for (const [field, value] of Object.entries(parseScriptOutput(event.currentTarget.value))) {
            const input = form.elements.namedItem(field);
            if (input instanceof HTMLInputElement) input.value = value;
          }
        }}
      />
    </div>
  );
}
