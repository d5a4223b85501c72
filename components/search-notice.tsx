/** Why a search was dropped (it held characters a search cannot match), shown above the filters. */
export function SearchNotice({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded border border-red-300 dark:border-red-800 bg-red-50 dark:bg-red-950/60 p-3 text-sm">
      {message}
    </p>
  );
}
