"use client";

import { useEffect, useRef, useState } from "react";
import { checkFormat, type FormatField } from "@/lib/checks/format";
import type { CheckInput } from "@/lib/checks/schema";

const fieldLabels: Record<FormatField, string> = {
  tenant: "Directory (tenant) ID",
  clientId: "Application (client) ID",
  clientSecret: "Client secret",
  testMailbox: "Test mailbox",
  outOfScopeMailbox: "Out-of-scope mailbox",
  mailboxes: "Mailboxes",
};

type Advice = { field: FormatField; message: string; severity: "error" | "warning" };

/**
 * The `format` check, run in the browser as the admin types: a pasted Secret ID, the tenant ID in the
 * client field or a personal-account domain is named before anything is sent anywhere.
 */
export function FormatAdvice({ fields, known }: { fields: FormatField[]; known: Omit<CheckInput, "mailboxScope"> }) {
  const anchor = useRef<HTMLDivElement>(null);
  const [advice, setAdvice] = useState<Advice[]>([]);

  useEffect(() => {
    const form = anchor.current?.closest("form");
    if (!form) return;
    const evaluate = () => {
      const data = new FormData(form);
      const value = (name: string) => (typeof data.get(name) === "string" ? (data.get(name) as string) : undefined);
      const typed = (name: FormatField) => fields.includes(name) && value(name) !== undefined && value(name) !== "";
      const mailboxes = (value("mailboxes") ?? "").split(/[\s,;]+/).filter(Boolean);
      const result = checkFormat({
        ...known,
        tenant: typed("tenant") ? value("tenant")! : known.tenant,
        clientId: typed("clientId") ? value("clientId")! : known.clientId,
        clientSecret: typed("clientSecret") ? value("clientSecret")! : known.clientSecret,
        testMailbox: typed("testMailbox") ? value("testMailbox") : undefined,
        outOfScopeMailbox: typed("outOfScopeMailbox") ? value("outOfScopeMailbox") : undefined,
        mailboxScope: value("mailboxScopeKind") === "list" && mailboxes.length ? { kind: "list", mailboxes } : { kind: "all" },
      });
      setAdvice(
        fields
          .filter(typed)
          .flatMap((field): Advice[] => {
            const error = result.fields[field];
            const warning = result.warnings[field];
            return error ? [{ field, message: error, severity: "error" }] : warning ? [{ field, message: warning, severity: "warning" }] : [];
          }),
      );
    };
    form.addEventListener("input", evaluate);
    return () => form.removeEventListener("input", evaluate);
  }, [fields, known]);

  return (
    <div ref={anchor} aria-live="polite" className="space-y-1">
      {advice.map((item) => (
        <p key={item.field} className={`rounded border p-2 text-sm ${item.severity === "error" ? "border-red-300 bg-red-50 text-red-900 dark:border-red-700 dark:bg-red-950 dark:text-red-100" : "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"}`}>
          <strong>{fieldLabels[item.field]}:</strong> {item.message}
        </p>
      ))}
    </div>
  );
}
