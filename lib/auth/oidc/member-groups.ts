import "server-only";
import { z } from "zod";
import type { Cloud } from "@/lib/entra/clouds";
import type { RequestPolicy } from "@/lib/entra/http-transport";
import { createGraphSession, type GraphFailure } from "@/lib/graph/graph-client";

/**
 * Someone in more groups than a token holds gets the overage indicator instead of `groups`. Their
 * groups are then read from Microsoft Graph with the sign-in's own token (GroupMember.Read.All).
 */

const answerSchema = z.object({ value: z.array(z.string()) });

export async function readMemberGroups(options: { cloud: Cloud; accessToken: string; policy: RequestPolicy }): Promise<{ ok: true; groups: string[] } | { ok: false; failure: GraphFailure }> {
  const session = createGraphSession(options);
  const result = await session.call((client) => client.api("/me/getMemberGroups").post({ securityEnabledOnly: false }) as Promise<unknown>);
  if (!result.ok) return result;
  const parsed = answerSchema.safeParse(result.value);
  if (!parsed.success) return { ok: false, failure: { code: "unexpected-response" } };
  return { ok: true, groups: parsed.data.value };
}
