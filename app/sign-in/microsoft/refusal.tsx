import { readBindingCookie } from "@/lib/auth/oidc/binding-cookie";
import { explainConsoleSignInRefusal } from "@/lib/auth/oidc/refusals";
import { getMicrosoftSignInRefusal } from "@/lib/auth/oidc/sign-in";
import { getPrisma } from "@/lib/db/client";
import type { SignInOutcome } from "@/lib/delegated/sign-in";

const GENERIC_CODES = new Set(["bad-state", "sign-in-failed"]);

/**
 * Why the last Microsoft sign-in of this browser did not sign in. The URL carries only the attempt's
 * id (or one of our two generic codes); Microsoft's details come from the attempt, for this browser only.
 */
export async function MicrosoftSignInRefusal({ attempt }: { attempt: string }) {
  let outcome: SignInOutcome | null = null;
  if (GENERIC_CODES.has(attempt)) outcome = { code: attempt };
  else outcome = await getMicrosoftSignInRefusal(await getPrisma(), attempt, await readBindingCookie());
  if (!outcome) return null;
  const refusal = explainConsoleSignInRefusal(outcome.code, outcome.description ? { message: outcome.description } : {});
  return (
    <section role="alert" aria-labelledby="microsoft-refusal" className="space-y-2 rounded border border-red-300 dark:border-red-800 bg-red-50 dark:bg-red-950/60 p-4 text-sm">
      <h2 id="microsoft-refusal" className="font-semibold">
        {refusal.title}
      </h2>
      <p>{refusal.explanation}</p>
      <p>{refusal.nextStep}</p>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 text-xs text-fg-muted">
        <dt>Code</dt>
        <dd>
          <code>{refusal.code}</code>
        </dd>
        {outcome.account && (
          <>
            <dt>Account</dt>
            <dd>{outcome.account}</dd>
          </>
        )}
        {outcome.correlationId && (
          <>
            <dt>Correlation ID</dt>
            <dd>
              <code>{outcome.correlationId}</code>
            </dd>
          </>
        )}
        {outcome.timestamp && (
          <>
            <dt>Time</dt>
            <dd>{outcome.timestamp}</dd>
          </>
        )}
      </dl>
    </section>
  );
}
