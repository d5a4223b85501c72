type Outcome = { title: string; text: string };

/**
 * Where Microsoft returns an administrator who approved (or declined) a consent link someone sent
 * them. The page only says what happens next; the route records a grant.
 */
export function ConsentReturn({ declined, granted, refused }: { declined: boolean; granted: Outcome; refused: Outcome }) {
  const outcome = declined ? refused : granted;
  return (
    <div className="max-w-xl space-y-4">
      <h1 className="text-2xl font-semibold">{outcome.title}</h1>
      <p>{outcome.text}</p>
    </div>
  );
}

/** Microsoft adds `error` when the administrator cancelled or refused. */
export function consentDeclined(query: Record<string, string | string[] | undefined>): boolean {
  return typeof query.error === "string";
}
