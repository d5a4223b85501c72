import { ests, sendEstsError, sendGraphError } from "./errors";
import type { RequestContext } from "./http";
import type { Fault } from "./scenario";

export function faultMatches(fault: Fault, method: string, pathname: string): boolean {
  if (fault.method !== undefined && fault.method !== method) return false;
  if (fault.path.startsWith("^")) return new RegExp(fault.path).test(pathname);
  const pattern = fault.path
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${pattern}$`, "i").test(pathname);
}

function isGraphPath(pathname: string): boolean {
  return pathname.startsWith("/v1.0/") || pathname.startsWith("/beta/") || pathname === "/v1.0" || pathname === "/beta";
}

/** Takes one hit from a counted fault; false once its count is used up. */
function consume(ctx: RequestContext, fault: Fault & { count?: number }): boolean {
  const hits = ctx.state.faultHits.get(fault) ?? 0;
  if (fault.count !== undefined && hits >= fault.count) return false;
  ctx.state.faultHits.set(fault, hits + 1);
  return true;
}

/**
 * Applies the scenario's faults in order. Latency always applies (all matching latency faults add up)
 * and then the first matching throttle/unavailable/hang fault with hits left answers the request.
 * Returns true when a fault answered (or swallowed) the request.
 */
export async function applyFaults(ctx: RequestContext): Promise<boolean> {
  const { method, path } = ctx.record;
  const faults = ctx.state.scenario.faults.filter((fault) => faultMatches(fault, method, path));
  const delay = faults.reduce((sum, fault) => sum + (fault.kind === "latency" ? fault.ms : 0), 0);
  if (delay > 0) {
    ctx.record.fault = "latency";
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  for (const fault of faults) {
    // Replication faults hide objects inside the handlers that resolve them (applications.ts).
    if (fault.kind === "latency" || fault.kind === "replication") continue;
    if (!consume(ctx, fault)) continue;
    ctx.record.fault = fault.kind;
    if (fault.kind === "hang") {
      // Never answered; the socket is destroyed when the simulator closes.
      return true;
    }
    const graph = isGraphPath(path);
    if (fault.kind === "throttle") {
      const headers = { "retry-after": String(fault.retryAfterSeconds) };
      if (graph) {
        const message =
          fault.code === "ApplicationThrottled" ? "Application is over its MailboxConcurrency limit." : "Please retry again later.";
        sendGraphError(ctx, 429, fault.code, message, { innerError: "throttle", headers });
      } else {
        sendEstsError(ctx, ests.throttled(), 429, headers);
      }
      return true;
    }
    const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { "retry-after": String(fault.retryAfterSeconds) } : {};
    if (graph) {
      // Graph's backend failures carry an empty message (graph-errors.json, UnknownError).
      sendGraphError(ctx, fault.status, "UnknownError", "", { headers });
    } else {
      sendEstsError(ctx, ests.transient(), fault.status, headers);
    }
    return true;
  }
  return false;
}
