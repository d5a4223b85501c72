import { describe, expect, it } from "vitest";
import type { AdminGraphFailure } from "@/lib/provisioning/admin-graph";
import { backoffDelay, isReplicationFailure, withReplicationRetry } from "@/lib/provisioning/replication";

const failure = (status: number, code: string, message: string, detailCodes: string[] = []): AdminGraphFailure => ({ status, code, message, detailCodes });

describe("isReplicationFailure", () => {
  it("recognises the recorded replication bodies, the sub-code in details included", () => {
    expect(isReplicationFailure(failure(404, "Request_ResourceNotFound", "Resource 'x' does not exist or one of its queried reference-property objects are not present."))).toBe(true);
    expect(isReplicationFailure(failure(400, "Request_BadRequest", "The appId 'x' of the service principal does not reference a valid application object.", ["NoBackingApplicationObject"]))).toBe(true);
    expect(isReplicationFailure(failure(400, "Request_BadRequest", "Not a valid reference update."))).toBe(true);
    expect(isReplicationFailure(failure(403, "Authorization_RequestDenied", "The service principal's backing application was not found."))).toBe(true);
  });

  it("treats every other refusal as final", () => {
    expect(isReplicationFailure(failure(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."))).toBe(false);
    expect(isReplicationFailure(failure(400, "Request_BadRequest", "Credential lifetime exceeds the max value allowed as per assigned policy 'x'.", ["CredentialInvalidLifetimeAsPerAppPolicy"]))).toBe(false);
    expect(isReplicationFailure(failure(400, "Directory_QuotaExceeded", "The directory object quota limit for the Tenant has been exceeded."))).toBe(false);
  });
});

describe("back-off", () => {
  it("doubles up to the cap, with jitter below the ceiling", () => {
    const options = { baseMs: 100, capMs: 1_000, boundMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, { ...options, random: () => 1 }))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, { ...options, random: () => 0 })).toBe(40);
  });

  it("keeps each wait within a share of the time already waited, so a delay of seconds is not overshot by a whole doubled step", () => {
    const options = { baseMs: 100, capMs: 10_000, boundMs: 600_000, elapsedShare: 0.1, random: () => 1 };
    // Doubling alone would reach 3,200 ms by the sixth attempt; two seconds in, the wait is 200 ms.
    expect(backoffDelay(6, options, 2_000)).toBe(200);
    expect(backoffDelay(1, options, 0)).toBe(100);
    // Minutes in, the fixed cap takes over.
    expect(backoffDelay(30, options, 300_000)).toBe(10_000);
  });

  it("counts each wait from the start of the refused attempt, so a slow refusal is retried at once", async () => {
    const notFound = failure(404, "Request_ResourceNotFound", "does not exist or one of its queried reference-property objects are not present");
    const waits: number[] = [];
    let calls = 0;
    const outcome = await withReplicationRetry(
      async () => {
        calls += 1;
        if (calls > 2) return { ok: true as const, value: "seen" };
        // A refusal that takes longer than the whole back-off step.
        await new Promise((resolve) => setTimeout(resolve, 60));
        return { ok: false as const, failure: notFound };
      },
      { baseMs: 20, capMs: 40, boundMs: 5_000, random: () => 1, onWait: ({ nextInMs }) => waits.push(nextInMs) },
    );
    expect(outcome).toMatchObject({ ok: true, value: "seen", attempts: 3 });
    expect(waits).toEqual([0, 0]);
  });

  it("stops retrying once the bound would be passed, and never retries a final error", async () => {
    let calls = 0;
    const notFound = failure(404, "Request_ResourceNotFound", "does not exist or one of its queried reference-property objects are not present");
    const timedOut = await withReplicationRetry(async () => (calls++, { ok: false as const, failure: notFound }), { baseMs: 5, capMs: 10, boundMs: 60 });
    expect(timedOut).toMatchObject({ ok: false, replication: true });
    expect(calls).toBeGreaterThan(1);
    calls = 0;
    const final = await withReplicationRetry(async () => (calls++, { ok: false as const, failure: failure(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.") }), { baseMs: 5, capMs: 10, boundMs: 60 });
    expect(final).toMatchObject({ ok: false, replication: false, attempts: 1 });
    expect(calls).toBe(1);
  });
});
