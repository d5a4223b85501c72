/**
 * How `promise` failed, and how long it took, if it fails within `ms`; throws when it is still pending
 * then (or resolves), so a missing timeout fails the test instead of hanging it.
 */
export async function failureWithin(ms: number, promise: Promise<unknown>): Promise<{ error: unknown; elapsedMs: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([promise, deadline]);
  } catch (error) {
    if (error instanceof Error && error.message === `still waiting after ${ms} ms`) throw error;
    return { error, elapsedMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
  throw new Error("expected a failure, but it succeeded");
}
