import { CopyButton } from "@/components/copy-button";
import type { ConsentHandOffView } from "@/lib/delegated/refusals";

/**
 * Hands consent to someone who may grant it: the link, a message ready to send, and copy buttons for
 * both. Members use it when their organisation must approve Calsync, admins in the wizard when they
 * cannot grant Microsoft Graph application permissions themselves.
 */
export function ConsentHandOff({ handOff, heading, linkText }: { handOff: ConsentHandOffView; heading: string; linkText: string }) {
  return (
    <div className="space-y-2">
      <h3 className="font-semibold">{heading}</h3>
      <pre className="whitespace-pre-wrap break-all rounded bg-surface p-3 text-sm" tabIndex={0} aria-label={heading}>
        {handOff.message}
      </pre>
      <p className="flex flex-wrap items-center gap-3">
        <CopyButton text={handOff.message} label="Copy the message" />
        <CopyButton text={handOff.url} label="Copy the approval link" />
      </p>
      <p className="text-sm">
        Administrators of {handOff.tenant} can approve directly: <a className="underline" href={handOff.url}>{linkText}</a>.
      </p>
    </div>
  );
}
