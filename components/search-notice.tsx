/** Why a search was dropped (it held characters a search cannot match), shown above the filters. */
export function SearchNotice({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm">
      {message}
    </p>
  );
}
