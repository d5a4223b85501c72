// Next.js calls register() once when a server process starts, before it serves requests, in
// development and production alike; from the offer on, scripts/server.mjs answers the engine API.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startConsoleOrExit } = await import("@/lib/startup");
  await startConsoleOrExit();
  const { offerEngineApiToServer } = await import("@/lib/api/dispatch");
  offerEngineApiToServer();
}
