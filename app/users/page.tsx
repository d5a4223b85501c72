import type { Metadata } from "next";
import { Table, TableBody, TableCard, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ActionForm, Field } from "@/components/action-form";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { RelativeTime } from "@/components/ui/relative-time";
import { changeUserRoleAction, createUserAction, endUserSessionsAction, inviteUserAction, revokeInviteAction, setBreakGlassAction, setUserActiveAction } from "@/app/users/actions";
import { listPendingInvites } from "@/lib/auth/invites";
import { authorizePage } from "@/lib/auth/current-user";
import { PASSWORD_HINT } from "@/lib/auth/password-policy";
import { roleLabels, roles } from "@/lib/auth/roles";
import { listUsers } from "@/lib/auth/users";
import { getPrisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Users" };

const roleOptions = roles.map((role) => ({ value: role, label: roleLabels[role] }));

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const me = await authorizePage("/users", "/users");
  const db = await getPrisma();
  const [users, invites, params] = await Promise.all([listUsers(db), listPendingInvites(db), searchParams]);
  return (
    <div className="space-y-10">
      {params.welcome && (
        <p role="status" className="rounded border border-green-300 dark:border-green-800 bg-green-50 dark:bg-green-950/60 p-3 text-sm">
          The console is yours. Invite your colleagues below.
        </p>
      )}
      <section className="space-y-4">
        <h1 className="text-2xl font-semibold">Users</h1>
        <TableCard>
          <Table>
          <caption className="sr-only">Console users</caption>
          <TableHead>
            <tr>
              <TableHeader>Name</TableHeader>
              <TableHeader>Email</TableHeader>
              <TableHeader>Role</TableHeader>
              <TableHeader>Status</TableHeader>
              <TableHeader>Last sign-in</TableHeader>
              <TableHeader>Actions</TableHeader>
            </tr>
          </TableHead>
          <TableBody>
            {users.map((user) => (
              <TableRow key={user.id}>
                <TableCell label="Name">{user.displayName}</TableCell>
                <TableCell label="Email">{user.email}</TableCell>
                <TableCell label="Role">{roleLabels[user.role]}</TableCell>
                <TableCell label="Status">
                  {user.active ? "Active" : "Deactivated"}
                  {user.microsoftAccounts.length > 0 && <span className="block text-xs text-fg-muted">Microsoft: {user.microsoftAccounts.join(", ")}</span>}
                  {user.breakGlass && <span className="block text-xs text-fg-muted">Break-glass (keeps password sign-in)</span>}
                </TableCell>
                <TableCell label="Last sign-in">{user.lastSignInAt ? <RelativeTime date={user.lastSignInAt} /> : "Never"}</TableCell>
                <TableCell label="Actions" contentClassName="space-y-2">
                  <ActionForm action={changeUserRoleAction} submitLabel={`Change role of ${user.email}`} submitVariant="secondary" className="space-y-2" hidden={{ userId: user.id }}>
                    <Field name="role" label={`Role for ${user.email}`} type="select" defaultValue={user.role} options={roleOptions} />
                  </ActionForm>
                  {user.id !== me.id && (
                    <ActionForm
                      action={setUserActiveAction}
                      submitLabel={user.active ? `Deactivate ${user.email}` : `Reactivate ${user.email}`}
                      submitVariant={user.active ? "danger" : "secondary"}
                      hidden={{ userId: user.id, active: String(!user.active) }}
                    />
                  )}
                  {user.id !== me.id && user.active && (
                    <ActionForm action={endUserSessionsAction} submitLabel={`End sessions of ${user.email}`} submitVariant="secondary" hidden={{ userId: user.id }} />
                  )}
                  {user.role === "admin" && user.hasPassword && (
                    <ActionForm
                      action={setBreakGlassAction}
                      submitLabel={user.breakGlass ? `Remove break-glass from ${user.email}` : `Mark ${user.email} as break-glass`}
                      submitVariant="secondary"
                      hidden={{ userId: user.id, breakGlass: String(!user.breakGlass) }}
                    />
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        </TableCard>
      </section>

      <section className="space-y-4" aria-labelledby="pending-invitations">
        <h2 id="pending-invitations" className="text-lg font-semibold">
          Pending invitations
        </h2>
        {invites.length === 0 ? (
          <p className="text-sm text-fg-muted">No invitation is waiting to be accepted.</p>
        ) : (
          <TableCard>
            <Table>
              <caption className="sr-only">Pending invitations</caption>
              <TableHead>
                <tr>
                  <TableHeader>Email</TableHeader>
                  <TableHeader>Role</TableHeader>
                  <TableHeader>Invited by</TableHeader>
                  <TableHeader>Expires</TableHeader>
                  <TableHeader>Actions</TableHeader>
                </tr>
              </TableHead>
              <TableBody>
                {invites.map((invite) => (
                  <TableRow key={invite.id}>
                    <TableCell label="Email">{invite.email}</TableCell>
                    <TableCell label="Role">{roleLabels[invite.role]}</TableCell>
                    <TableCell label="Invited by">{invite.createdBy}</TableCell>
                    <TableCell label="Expires">
                      <RelativeTime date={invite.expiresAt} />
                    </TableCell>
                    <TableCell label="Actions">
                      <ConfirmDialog
                        trigger={
                          <>
                            Revoke<span className="sr-only"> the invitation for {invite.email}</span>
                          </>
                        }
                        triggerVariant="danger"
                        title={`Revoke the invitation for ${invite.email}?`}
                        description="The link stops working at once. You can invite them again later."
                        confirmLabel="Revoke invitation"
                        action={revokeInviteAction}
                        hidden={{ inviteId: invite.id }}
                      />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableCard>
        )}
      </section>

      <section className="grid gap-10 md:grid-cols-2">
        <div className="space-y-4">
          <h2 className="text-lg font-semibold">Invite a colleague</h2>
          <p className="text-sm text-fg-muted">They receive a one-time link and choose their own password.</p>
          <ActionForm action={inviteUserAction} submitLabel="Create invitation link">
            <Field name="email" label="Email" type="email" autoComplete="off" />
            <Field name="role" label="Role" type="select" defaultValue="member" options={roleOptions} />
          </ActionForm>
        </div>
        <div className="space-y-4">
          <h2 className="text-lg font-semibold">Create a user directly</h2>
          <ActionForm action={createUserAction} submitLabel="Create user">
            <Field name="displayName" label="Name" autoComplete="off" />
            <Field name="email" label="Email" type="email" autoComplete="off" />
            <Field name="role" label="Role" type="select" defaultValue="member" options={roleOptions} />
            <Field name="password" label="Initial password" type="password" autoComplete="new-password" hint={PASSWORD_HINT} />
            <Field name="confirmPassword" label="Repeat the password" type="password" autoComplete="new-password" />
          </ActionForm>
        </div>
      </section>
    </div>
  );
}
