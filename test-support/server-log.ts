import { vi } from "vitest";

/** Everything lib/log.ts writes (both streams) while `run` runs; the lines are kept from the terminal. */
export async function serverLogDuring(run: () => Promise<void>): Promise<string> {
  const written: string[] = [];
  const keep = ((chunk: string | Uint8Array) => {
    written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  }) as typeof process.stdout.write;
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation(keep);
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(keep);
  try {
    await run();
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return written.join("");
}
