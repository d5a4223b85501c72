import { CopyButton } from "@/components/copy-button";

/** Shown once, right after they are made: the console keeps only their hashes. */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <section aria-labelledby="recovery-codes-heading" className="space-y-2 rounded border border-amber-300 bg-amber-50 p-4">
      <h2 id="recovery-codes-heading" className="font-semibold">
        Your recovery codes
      </h2>
      <p className="text-sm">
        Save them somewhere safe now: this is the only time they are shown. Each one signs you in once if you lose your second factor.
      </p>
      <ul aria-label="Recovery codes" className="grid grid-cols-2 gap-1 font-mono text-sm">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <CopyButton text={codes.join("\n")} label="Copy the codes" />
    </section>
  );
}
