import { scopeCauseCodes } from "@/lib/checks/access-denied";
import type { Check } from "@/lib/checks/schema";
import type { WizardField, WizardStepId } from "@/lib/wizard/steps";

/**
 * Where a failed check sends the admin: the wizard step that fixes it, with the field to correct
 * highlighted. Pure and import-light (types and the pure access-denied rules), so the live checklist in the browser can build the
 * links as checks arrive without pulling the wizard's texts into the page's JavaScript.
 */
export function fixTarget(check: Check): { step: WizardStepId; field?: WizardField } | undefined {
  if (!check.fix) return undefined;
  // Every fix step id is also the id of the wizard step that performs it.
  const step: WizardStepId = check.fix.step;
  const code = check.code ?? "";
  switch (check.fix.step) {
    case "client-secret":
      // An expired secret is fixed by a new one, so its Value is what needs typing first, not the date.
      return { step, field: "clientSecret" };
    case "copy-ids":
      return { step, field: /^(AADSTS90002|AADSTS900023|AADSTS90072|tenant)/i.test(code) || check.id === "tenant" ? "tenant" : "clientId" };
    case "mailbox-scope":
      if (scopeCauseCodes.includes(code)) return { step, field: "scopeMode" };
      return { step, field: check.id === "mailbox-scope" ? "outOfScopeMailbox" : "testMailbox" };
    default:
      return { step };
  }
}

export function fixHref(check: Check): string | undefined {
  const target = fixTarget(check);
  if (!target) return undefined;
  return `/connections/new/${target.step}${target.field ? `?highlight=${target.field}` : ""}`;
}
