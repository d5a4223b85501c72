import { CopyButton } from "@/components/copy-button";
import { checkWho, whoLabel } from "@/lib/checks/fix-roles";
import type { Check } from "@/lib/checks/schema";

/**
 * The latest failure in plain words for helpdesk: what is wrong, who must fix it, a message ready to
 * send them, and Microsoft's correlation id and timestamp for a support ticket.
 */
export function FailureExplanation({
  check,
  connectionName,
  connectionUrl,
  owner,
}: {
  check: Check;
  connectionName: string;
  connectionUrl: string;
  /** A mailbox connection's owner: the "user" who can fix what only they can (signing in again). */
  owner?: string;
}) {
  const role = checkWho(check);
  const who = role === "user" && owner ? `the mailbox's owner, ${owner}` : role ? whoLabel(role) : "an administrator";
  const reference = check.correlationId ? `Microsoft correlation ID ${check.correlationId}${check.timestamp ? `, timestamp ${check.timestamp}` : ""}` : null;
  const message = [
    `Hello,`,
    ``,
    `the calendar sync connection “${connectionName}” ${check.status === "fail" ? "is failing" : "needs attention"}: ${check.title}.`,
    check.detail,
    check.fix ? `What to do: ${check.fix.text}` : null,
    `Who can do it: ${who}.`,
    check.code ? `Error code: ${check.code}.` : null,
    reference ? `${reference}.` : null,
    `Connection: ${connectionUrl}`,
  ]
    .filter((line) => line !== null)
    .join("\n");
  return (
    <section aria-labelledby="failure-heading" className={`space-y-3 rounded border p-4 ${check.status === "fail" ? "border-red-400 dark:border-red-700 bg-red-50 dark:bg-red-950/60" : "border-amber-400 dark:border-amber-700 bg-amber-50 dark:bg-amber-950/60"}`}>
      <h2 id="failure-heading" className="text-lg font-semibold">
        {check.status === "fail" ? "Why it fails" : "Why it warns"}: {check.title}
      </h2>
      <p>{check.detail}</p>
      <p>
        <strong>Who must fix it:</strong> {who}.
      </p>
      {check.fix && (
        <p>
          <strong>What they need to do:</strong> {check.fix.text}
        </p>
      )}
      {reference && (
        <p className="flex flex-wrap items-center gap-3 text-sm">
          <span>
            For Microsoft support: <code>{check.correlationId}</code>
            {check.timestamp ? (
              <>
                {" "}
                at <code>{check.timestamp}</code>
              </>
            ) : null}
          </span>
          <CopyButton text={reference} label="Copy correlation ID and timestamp" />
        </p>
      )}
      <details>
        <summary className="cursor-pointer text-sm font-medium">What to tell them</summary>
        <pre className="mt-2 whitespace-pre-wrap rounded bg-surface p-3 text-sm" tabIndex={0} aria-label="Message to send">
          {message}
        </pre>
        <CopyButton text={message} label="Copy the message" />
      </details>
    </section>
  );
}
