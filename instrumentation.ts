// Next.js calls register() once when a server process starts, before it serves requests.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startConsoleOrExit } = await import("@/lib/startup");
  await startConsoleOrExit();
}
