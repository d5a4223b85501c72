"use client";

import { createContext, useActionState, useContext, useId, type ReactNode } from "react";
import { useFormStatus } from "react-dom";
import { idleState, type ActionState } from "@/lib/action-state";

type FormAction = (state: ActionState, formData: FormData) => Promise<ActionState>;

const FormStateContext = createContext<ActionState>(idleState);

/** For a form that shows its outcome itself but uses Field for its inputs. */
export function FormStateProvider({ state, children }: { state: ActionState; children: ReactNode }) {
  return <FormStateContext.Provider value={state}>{children}</FormStateContext.Provider>;
}

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

export function SubmitButton({ label, variant }: { label: string; variant: keyof typeof buttonStyles }) {
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

type FieldType = "text" | "email" | "password" | "date" | "select" | "textarea" | "checkbox" | "radio";

export function Field({
  name,
  label,
  type = "text",
  hint,
  autoComplete,
  required = true,
  defaultValue,
  defaultChecked,
  options,
  highlight = false,
}: {
  name: string;
  label: string;
  type?: FieldType;
  hint?: string;
  autoComplete?: string;
  required?: boolean;
  defaultValue?: string;
  defaultChecked?: boolean;
  options?: ReadonlyArray<{ value: string; label: string; description?: string }>;
  /** Sent back here to correct this field: it is marked and focused. */
  highlight?: boolean;
}) {
  const state = useContext(FormStateContext);
  const id = useId();
  const error = state.status === "error" ? state.fieldErrors?.[name] : undefined;
  const echoed = state.status === "error" && type !== "password" ? state.values?.[name] : undefined;
  const initial = echoed ?? defaultValue;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  const marked = Boolean(error) || highlight;
  const inputClass = `mt-1 block w-full rounded border px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-600 ${
    marked ? "border-red-600 ring-1 ring-red-600" : "border-slate-400"
  }`;
  const common = {
    id,
    name,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
    autoFocus: highlight || undefined,
  } as const;
  const messages = (
    <>
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-slate-600">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </>
  );

  if (type === "checkbox") {
    return (
      <div className={highlight ? "rounded border border-red-600 p-2" : undefined}>
        <div className="flex items-start gap-2">
          <input {...common} type="checkbox" defaultChecked={echoed !== undefined ? echoed === "on" : defaultChecked} className="mt-1 h-4 w-4" />
          <label htmlFor={id} className="text-sm font-medium text-slate-900">
            {label}
          </label>
        </div>
        {messages}
      </div>
    );
  }

  if (type === "radio") {
    return (
      <fieldset aria-describedby={describedBy} className={highlight ? "rounded border border-red-600 p-2" : undefined}>
        <legend className="text-sm font-medium text-slate-900">{label}</legend>
        {messages}
        <div className="mt-1 space-y-2">
          {options?.map((option) => (
            <div key={option.value} className="flex items-start gap-2">
              <input
                id={`${id}-${option.value}`}
                type="radio"
                name={name}
                value={option.value}
                defaultChecked={initial === option.value}
                aria-describedby={option.description ? `${id}-${option.value}-description` : undefined}
                className="mt-1 h-4 w-4"
              />
              <label htmlFor={`${id}-${option.value}`} className="text-sm">
                <span className="font-medium">{option.label}</span>
                {option.description && (
                  <span id={`${id}-${option.value}-description`} className="block text-xs text-slate-600">
                    {option.description}
                  </span>
                )}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
    );
  }

  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-900">
        {label}
      </label>
      {type === "select" ? (
        <select {...common} defaultValue={initial} className={inputClass}>
          {options?.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      ) : type === "textarea" ? (
        <textarea {...common} defaultValue={initial} rows={4} className={inputClass} />
      ) : (
        <input {...common} type={type} required={required} autoComplete={autoComplete} defaultValue={initial} spellCheck={false} className={inputClass} />
      )}
      {messages}
    </div>
  );
}
