/** Shown on every page when the console runs as `npm run demo`, so nobody mistakes it for a real one. */
export function DemoBanner() {
  return (
    <aside aria-label="Demo notice" className="border-b border-amber-300 bg-amber-100 text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-50">
      <p className="mx-auto max-w-5xl px-4 py-2 text-sm [overflow-wrap:anywhere]">
        <strong>This is a demo: Microsoft is simulated.</strong> The sign-in and consent pages you are sent to belong to the
        simulator on this computer (plain http on 127.0.0.1, so the browser shows no certificate warning), and no real tenant or
        mailbox is touched. Multi-factor authentication is optional here (a real console requires it of administrators). To start over, stop the demo with Ctrl-C and run <code>npm run demo -- --reset</code>.
      </p>
    </aside>
  );
}
