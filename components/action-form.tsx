"use client";

import { createContext, useActionState, useContext, useId, type ReactNode } from "react";
import { useFormStatus } from "react-dom";
import { idleState, type ActionState } from "@/lib/action-state";

type FormAction = (state: ActionState, formData: FormData) => Promise<ActionState>;

const FormStateContext = createContext<ActionState>(idleState);

/**
 * The one form pattern: a server action driven by useActionState. Field errors are linked to their
 * inputs with aria-describedby; the form-level message is announced through a live region.
 */
export function ActionForm({
  action,
  submitLabel,
  children,
  className = "space-y-4",
  submitVariant = "primary",
  hidden,
}: {
  action: FormAction;
  submitLabel: string;
  children?: ReactNode;
  className?: string;
  submitVariant?: "primary" | "secondary" | "danger";
  hidden?: Record<string, string>;
}) {
  const [state, formAction] = useActionState(action, idleState);
  const messageId = useId();
  return (
    <FormStateContext.Provider value={state}>
      <form action={formAction} className={className} noValidate aria-describedby={state.status === "idle" ? undefined : messageId}>
        {hidden && Object.entries(hidden).map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />)}
        {children}
        <div id={messageId} aria-live="polite" role="status">
          {state.status === "error" && <p className="rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">{state.message}</p>}
          {state.status === "success" && (
            <div className="rounded border border-green-300 bg-green-50 p-2 text-sm text-green-900">
              <p>{state.message}</p>
              {state.reveal && (
                <p className="mt-1">
                  {state.reveal.label}: <code className="break-all select-all">{state.reveal.value}</code>
                </p>
              )}
            </div>
          )}
        </div>
        <SubmitButton label={submitLabel} variant={submitVariant} />
      </form>
    </FormStateContext.Provider>
  );
}

const buttonStyles = {
  primary: "bg-blue-700 text-white hover:bg-blue-800",
  secondary: "border border-slate-400 bg-white text-slate-900 hover:bg-slate-100",
  danger: "bg-red-700 text-white hover:bg-red-800",
};

function SubmitButton({ label, variant }: { label: string; variant: keyof typeof buttonStyles }) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      disabled={pending}
      className={`rounded px-4 py-2 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-600 focus-visible:ring-offset-2 disabled:opacity-60 ${buttonStyles[variant]}`}
    >
      {pending ? "Working…" : label}
    </button>
  );
}

export function Field({
  name,
  label,
  type = "text",
  hint,
  autoComplete,
  required = true,
  defaultValue,
  options,
}: {
  name: string;
  label: string;
  type?: "text" | "email" | "password" | "select";
  hint?: string;
  autoComplete?: string;
  required?: boolean;
  defaultValue?: string;
  options?: ReadonlyArray<{ value: string; label: string }>;
}) {
  const state = useContext(FormStateContext);
  const id = useId();
  const error = state.status === "error" ? state.fieldErrors?.[name] : undefined;
  const initial = (state.status === "error" && type !== "password" ? state.values?.[name] : undefined) ?? defaultValue;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  const inputClass = `mt-1 block w-full rounded border px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-600 ${
    error ? "border-red-600" : "border-slate-400"
  }`;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-900">
        {label}
      </label>
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-slate-600">
          {hint}
        </p>
      )}
      {type === "select" ? (
        <select id={id} name={name} defaultValue={initial} aria-invalid={error ? true : undefined} aria-describedby={describedBy} className={inputClass}>
          {options?.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          name={name}
          type={type}
          required={required}
          autoComplete={autoComplete}
          defaultValue={initial}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          className={inputClass}
        />
      )}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
