// Next.js calls register() once when a server process starts, before it serves requests.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startConsole } = await import("@/lib/startup");
  try {
    await startConsole();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`\nCalsync Console cannot start:\n${message}\n\n`);
    process.exit(1);
  }
}
