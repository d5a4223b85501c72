import { describe, expect, it } from "vitest";
import { acceptInvite, createInvite, getInviteStatus, listPendingInvites, revokeInvite } from "@/lib/auth/invites";
import { createSession } from "@/lib/auth/sessions";
import { listUsers } from "@/lib/auth/users";
import { testEngines } from "@/test-support/databases";
import { createUserForSuite } from "@/test-support/console-users";
import { openDatabaseForSuite } from "@/test-support/engine-database";

const policy = { idleMinutes: 30, absoluteHours: 8 };

describe.each(testEngines())("pending invitations on $name", (engine) => {
  const database = openDatabaseForSuite(engine);
  const admin = createUserForSuite(database, "inviting-admin@example.com", "Inviting Admin", "admin");

  it("lists only invitations that can still be accepted, the soonest to expire first, with who sent them", async () => {
    const db = database.prisma;
    const start = new Date("2026-11-01T09:00:00.000Z");
    const later = new Date("2026-11-02T09:00:00.000Z");
    const now = new Date("2026-11-03T09:00:00.000Z");
    await createInvite(db, { email: "second@example.com", role: "helpdesk" }, { actor: admin }, later);
    await createInvite(db, { email: "first@example.com", role: "member" }, { actor: admin }, start);
    const accepted = await createInvite(db, { email: "accepted@example.com", role: "member" }, { actor: admin }, start);
    await acceptInvite(db, { token: accepted.token, displayName: "Accepted", password: "a long enough passphrase 7", ip: null }, later);
    await createInvite(db, { email: "stale@example.com", role: "member" }, { actor: admin }, new Date("2026-10-01T09:00:00.000Z"));

    const pending = await listPendingInvites(db, now);
    expect(pending.map((invite) => [invite.email, invite.role, invite.createdBy])).toEqual([
      ["first@example.com", "member", admin.email],
      ["second@example.com", "helpdesk", admin.email],
    ]);
    expect(pending[0]!.expiresAt.toISOString()).toBe("2026-11-08T09:00:00.000Z");
  });

  it("revokes an invitation so its link stops working, audits it, and refuses a second revoke", async () => {
    const db = database.prisma;
    const { token } = await createInvite(db, { email: "revoked@example.com", role: "member" }, { actor: admin });
    const invite = (await listPendingInvites(db)).find((entry) => entry.email === "revoked@example.com")!;

    await expect(revokeInvite(db, invite.id, { actor: admin, ip: "198.51.100.7" })).resolves.toEqual({ email: "revoked@example.com" });
    expect(await getInviteStatus(db, token)).toEqual({ state: "used" });
    expect((await listPendingInvites(db)).some((entry) => entry.id === invite.id)).toBe(false);
    const audit = await db.auditEvent.findFirst({ where: { action: "user.invite-revoke", targetId: invite.id }, select: { summary: true, actorEmail: true } });
    expect(audit).toEqual({ summary: expect.stringContaining("revoked@example.com"), actorEmail: admin.email });

    await expect(revokeInvite(db, invite.id, { actor: admin })).rejects.toThrow("The invitation for revoked@example.com was already revoked.");
    await expect(revokeInvite(db, "00000000-0000-4000-8000-000000000000", { actor: admin })).rejects.toThrow("This invitation no longer exists.");
  });

  it("records the last sign-in whenever a session starts, whatever the way in", async () => {
    const db = database.prisma;
    const { token } = await createInvite(db, { email: "newcomer@example.com", role: "member" }, { actor: admin });
    const { userId } = await acceptInvite(db, { token, displayName: "Newcomer", password: "a long enough passphrase 8", ip: null });
    const lastSignIn = async () => (await listUsers(db)).find((user) => user.id === userId)!.lastSignInAt;
    expect(await lastSignIn()).toBeNull();
    const at = new Date("2026-11-20T08:30:00.000Z");
    await createSession(db, { userId }, policy, at);
    expect(await lastSignIn()).toEqual(at);
  });
});
