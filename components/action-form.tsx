"use client";

import dynamic from "next/dynamic";
import { createContext, useActionState, useContext, useId, type ReactNode } from "react";
import { useFormStatus } from "react-dom";
import { Callout } from "@/components/ui/badge";
import { Button, type ButtonVariant } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { idleState, isNeverEchoed, type ActionState } from "@/lib/action-state";

type FormAction = (state: ActionState, formData: FormData) => Promise<ActionState>;

const FormStateContext = createContext<ActionState>(idleState);

/** For a form that shows its outcome itself but uses Field for its inputs. */
export function FormStateProvider({ state, children }: { state: ActionState; children: ReactNode }) {
  return <FormStateContext.Provider value={state}>{children}</FormStateContext.Provider>;
}

// Needed only after a secret was created, so the dialog library stays out of every form page's first load.
export const OneTimeValueDialog = dynamic(() => import("@/components/ui/one-time-value-dialog").then((module) => module.OneTimeValueDialog), { ssr: false });

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
  submitVariant?: ButtonVariant;
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
          {state.status === "error" && <Callout tone="danger">{state.message}</Callout>}
          {state.status === "success" && (
            <Callout tone="success">
              {state.message}
              {state.reveal && ` The ${state.reveal.label.toLowerCase()} was shown once and is not shown again.`}
            </Callout>
          )}
        </div>
        {/* Keyed by the value, so every newly created secret opens its own dialog. */}
        {state.status === "success" && state.reveal && <OneTimeValueDialog key={state.reveal.value} label={state.reveal.label} value={state.reveal.value} message={state.message} />}
        <SubmitButton label={submitLabel} variant={submitVariant} />
      </form>
    </FormStateContext.Provider>
  );
}

export function SubmitButton({ label, variant }: { label: string; variant: ButtonVariant }) {
  const { pending } = useFormStatus();
  return (
    <Button type="submit" variant={variant} disabled={pending}>
      {pending ? "Working…" : label}
    </Button>
  );
}

type FieldType = "text" | "email" | "password" | "date" | "datetime-local" | "select" | "textarea" | "checkbox" | "radio";

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
  // The form was sent back with what was typed, except this field: say so, or it looks like data was lost.
  const reenter = state.status === "error" && state.values !== undefined && (type === "password" || isNeverEchoed(name));
  const initial = echoed ?? defaultValue;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null, reenter ? `${id}-reenter` : null].filter(Boolean).join(" ") || undefined;
  const marked = Boolean(error) || highlight;
  const inputClass = cn(
    "mt-1 block w-full rounded-md border bg-surface px-3 py-2 text-sm text-fg focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-focus",
    marked ? "border-red-600 ring-1 ring-red-600 dark:border-red-400 dark:ring-red-400" : "border-line-strong",
  );
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
        <p id={`${id}-hint`} className="mt-1 text-xs text-fg-muted">
          {hint}
        </p>
      )}
      {reenter && (
        <p id={`${id}-reenter`} className="mt-1 text-xs text-fg-muted">
          Enter this again: for safety it is never sent back to the browser.
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
    </>
  );

  if (type === "checkbox") {
    return (
      <div className={highlight ? "rounded-md border border-red-600 p-2 dark:border-red-400" : undefined}>
        <div className="flex items-start gap-2">
          <input {...common} type="checkbox" defaultChecked={echoed !== undefined ? echoed === "on" : defaultChecked} className="mt-1 h-4 w-4 accent-primary" />
          <label htmlFor={id} className="text-sm font-medium text-fg">
            {label}
          </label>
        </div>
        {messages}
      </div>
    );
  }

  if (type === "radio") {
    return (
      <fieldset aria-describedby={describedBy} className={highlight ? "rounded-md border border-red-600 p-2 dark:border-red-400" : undefined}>
        <legend className="text-sm font-medium text-fg">{label}</legend>
        {messages}
        <div className="mt-1 space-y-2">
          {options?.map((option, index) => (
            <div key={option.value} className="flex items-start gap-2">
              <input
                id={`${id}-${option.value}`}
                type="radio"
                name={name}
                value={option.value}
                defaultChecked={initial === option.value}
                // A highlighted group takes the focus where the keyboard would land: on its chosen option.
                autoFocus={highlight && (initial === option.value || (index === 0 && !options.some((other) => other.value === initial))) ? true : undefined}
                aria-describedby={option.description ? `${id}-${option.value}-description` : undefined}
                className="mt-1 h-4 w-4 accent-primary"
              />
              <label htmlFor={`${id}-${option.value}`} className="text-sm">
                <span className="font-medium">{option.label}</span>
                {option.description && (
                  <span id={`${id}-${option.value}-description`} className="block text-xs text-fg-muted">
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
      <label htmlFor={id} className="block text-sm font-medium text-fg">
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
