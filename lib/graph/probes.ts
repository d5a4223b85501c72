import "server-only";
import { z } from "zod";
import type { GraphResult, GraphSession } from "@/lib/graph/graph-client";

/**
 * The Graph calls that prove what an app can do: list users, read a calendar, write and delete an
 * event. Each returns a value (never throws for Microsoft's answers).
 */

const userSchema = z
  .object({
    id: z.string(),
    userPrincipalName: z.string().nullish(),
    mail: z.string().nullish(),
    displayName: z.string().nullish(),
  })
  .loose();

const userPageSchema = z.object({ value: z.array(userSchema), "@odata.nextLink": z.string().optional() }).loose();
export type DirectoryUser = z.infer<typeof userSchema>;

export type UserPage = { users: DirectoryUser[]; more: boolean };

/** Stands for the signed-in user (`/me`) where a mailbox is expected: delegated tokens reach only their own. */
export const SIGNED_IN_USER = "me";

/** `/me` for a delegated token, `/users/{upn}` for an app-only one. A UPN always has an `@`, so they cannot collide. */
function mailboxPath(mailbox: string): string {
  return mailbox === SIGNED_IN_USER ? "/me" : `/users/${encodeURIComponent(mailbox)}`;
}

function parsed<T>(result: GraphResult<unknown>, schema: z.ZodType<T>): GraphResult<T> {
  if (!result.ok) return result;
  const value = schema.safeParse(result.value);
  return value.success ? { ok: true, value: value.data } : { ok: false, failure: { code: "unexpected-response" } };
}

/** One page of users (proves User.Read.All). `mail` tells which users have a mailbox address. */
export async function listUsers(session: GraphSession, top = 100): Promise<GraphResult<UserPage>> {
  const result = parsed(
    await session.call((client) => client.api("/users").select(["id", "userPrincipalName", "mail", "displayName"]).top(top).get()),
    userPageSchema,
  );
  return result.ok ? { ok: true, value: { users: result.value.value, more: Boolean(result.value["@odata.nextLink"]) } } : result;
}

/** The signed-in user's profile (proves the delegated token works and names the account). */
export async function readProfile(session: GraphSession): Promise<GraphResult<DirectoryUser>> {
  return parsed(await session.call((client) => client.api("/me").select(["id", "userPrincipalName", "mail", "displayName"]).get()), userSchema);
}

const calendarSchema = z.object({ id: z.string(), name: z.string().nullish() }).loose();
export type CalendarInfo = z.infer<typeof calendarSchema>;

/** The mailbox's default calendar (proves Calendars.Read* reaches this mailbox). */
export async function readCalendar(session: GraphSession, mailbox: string): Promise<GraphResult<CalendarInfo>> {
  return parsed(await session.call((client) => client.api(`${mailboxPath(mailbox)}/calendar`).get()), calendarSchema);
}

const eventSchema = z.object({ id: z.string(), subject: z.string().nullish() }).loose();
export type CreatedEvent = { id: string; subject: string };

/** A short, private, reminder-free event in the far past of today, so nobody is disturbed if it lingers. */
export async function createTestEvent(session: GraphSession, mailbox: string, subject: string, now = new Date()): Promise<GraphResult<CreatedEvent>> {
  const start = new Date(now.getTime() - 24 * 3600_000);
  const end = new Date(start.getTime() + 15 * 60_000);
  const iso = (date: Date) => date.toISOString().replace("Z", "");
  const result = parsed(
    await session.call((client) =>
      client.api(`${mailboxPath(mailbox)}/events`).post({
        subject,
        body: { contentType: "text", content: "Created by Calsync Console to test write access; it is deleted right away." },
        start: { dateTime: iso(start), timeZone: "UTC" },
        end: { dateTime: iso(end), timeZone: "UTC" },
        showAs: "free",
        sensitivity: "private",
        isReminderOn: false,
      }),
    ),
    eventSchema,
  );
  return result.ok ? { ok: true, value: { id: result.value.id, subject } } : result;
}

export async function deleteEvent(session: GraphSession, mailbox: string, eventId: string): Promise<GraphResult<null>> {
  const result = await session.call((client) => client.api(`${mailboxPath(mailbox)}/events/${encodeURIComponent(eventId)}`).delete());
  return result.ok ? { ok: true, value: null } : result;
}

const organizationPageSchema = z.object({ value: z.array(z.object({ id: z.string(), displayName: z.string().nullish() }).loose()) }).loose();

/** The signed-in user's tenant and its display name. Delegated tokens may read it with User.Read; app-only ones may not. */
export async function readOrganization(session: GraphSession): Promise<GraphResult<{ tenantId: string; displayName: string | null }>> {
  const result = parsed(await session.call((client) => client.api("/organization").select(["id", "displayName"]).get()), organizationPageSchema);
  if (!result.ok) return result;
  const organization = result.value.value[0];
  return organization ? { ok: true, value: { tenantId: organization.id, displayName: organization.displayName ?? null } } : { ok: false, failure: { code: "unexpected-response" } };
}
