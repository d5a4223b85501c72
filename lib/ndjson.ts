/**
 * Newline-delimited JSON, the console's format for live progress (checks, provisioning steps): the
 * server writes one event per line as it happens, the browser handles each line as it arrives. Pure
 * on the reading side, so client components use it too.
 */

/** Reads a streamed NDJSON body, calling `onEvent` for each complete line. */
export async function readNdjson<Event>(body: NonNullable<Response["body"]>, onEvent: (event: Event) => void): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      onEvent(JSON.parse(buffer.slice(0, newline)) as Event);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
    }
  }
}

/**
 * A streamed NDJSON response: `run` sends events as it goes; a browser that goes away aborts its
 * signal. When `run` throws, `failure` (a plain message, never the error) is the last line.
 */
export function ndjsonResponse<Event>(request: Request, run: (options: { signal: AbortSignal; send: (event: Event) => void }) => Promise<void>, failure: (error: unknown) => Event): Response {
  const encoder = new TextEncoder();
  const controller = new AbortController();
  request.signal.addEventListener("abort", () => controller.abort(), { once: true });
  const body = new ReadableStream<Uint8Array>({
    async start(stream) {
      const send = (event: Event) => {
        try {
          stream.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        } catch {
          // The browser went away; the run is being cancelled.
        }
      };
      try {
        await run({ signal: controller.signal, send });
      } catch (error) {
        send(failure(error));
      } finally {
        try {
          stream.close();
        } catch {
          // already closed
        }
      }
    },
    cancel() {
      controller.abort();
    },
  });
  return new Response(body, {
    headers: { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" },
  });
}
