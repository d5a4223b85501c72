import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "@/lib/auth/roles";
import { mailboxDisconnectScope, mayRunConnectionChecks } from "@/lib/connections/access";
import type { Database } from "@/lib/db/client";
import { testEngines } from "@/test-support/databases";

describe.each(testEngines())("connection access on $name", (engine) => {
  let database: Database;
  const users = {} as Record<"admin" | "helpdesk" | "member" | "otherMember", { id: string; role: Role }>;
  const connections = {} as Record<"organisation" | "membersMailbox" | "otherMailbox", string>;

  beforeAll(async () => {
    database = await engine.open();
    for (const [name, role] of [["admin", "admin"], ["helpdesk", "helpdesk"], ["member", "member"], ["otherMember", "member"]] as const) {
      users[name] = await database.prisma.user.create({ data: { email: `${name}@example.com`, displayName: name, role }, select: { id: true, role: true } });
    }
    const common = { cloud: "global", tenant: "contoso.com", tenantId: randomUUID(), clientId: randomUUID(), mailboxScope: { kind: "all" } };
    const create = async (data: { name: string; kind: "organization" | "mailbox"; ownerId?: string }) =>
      (await database.prisma.connection.create({ data: { ...common, ...data }, select: { id: true } })).id;
    connections.organisation = await create({ name: "Contoso", kind: "organization" });
    connections.membersMailbox = await create({ name: "member@contoso.com", kind: "mailbox", ownerId: users.member.id });
    connections.otherMailbox = await create({ name: "other@contoso.com", kind: "mailbox", ownerId: users.otherMember.id });
  });
  afterAll(async () => {
    await database.close();
  });

  it("lets staff run the checks of every connection", async () => {
    for (const caller of [users.admin, users.helpdesk]) {
      for (const id of Object.values(connections)) expect(await mayRunConnectionChecks(database.prisma, caller, id)).toBe(true);
    }
  });

  it("lets a member run only the checks of a mailbox they connected", async () => {
    expect(await mayRunConnectionChecks(database.prisma, users.member, connections.membersMailbox)).toBe(true);
    expect(await mayRunConnectionChecks(database.prisma, users.member, connections.otherMailbox)).toBe(false);
    expect(await mayRunConnectionChecks(database.prisma, users.member, connections.organisation)).toBe(false);
    expect(await mayRunConnectionChecks(database.prisma, users.otherMember, connections.membersMailbox)).toBe(false);
  });

  it("refuses a connection that does not exist, to anyone", async () => {
    for (const caller of Object.values(users)) expect(await mayRunConnectionChecks(database.prisma, caller, randomUUID())).toBe(false);
  });

  it("lets an administrator disconnect any mailbox and everyone else only their own", () => {
    expect(mailboxDisconnectScope(users.admin)).toEqual({});
    expect(mailboxDisconnectScope(users.helpdesk)).toEqual({ ownerId: users.helpdesk.id });
    expect(mailboxDisconnectScope(users.member)).toEqual({ ownerId: users.member.id });
  });
});
