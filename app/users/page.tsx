import type { Metadata } from "next";
import { Table, TableBody, TableCard, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ActionForm, Field } from "@/components/action-form";
import { changeUserRoleAction, createUserAction, inviteUserAction, setUserActiveAction } from "@/app/users/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { PASSWORD_HINT } from "@/lib/auth/password-policy";
import { roleLabels, roles } from "@/lib/auth/roles";
import { listUsers } from "@/lib/auth/users";
import { getPrisma } from "@/lib/db/client";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Users" };

const roleOptions = roles.map((role) => ({ value: role, label: roleLabels[role] }));

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const me = await authorizePage("/users", "/users");
  const [users, params] = await Promise.all([listUsers(await getPrisma()), searchParams]);
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
              <TableHeader>Last sign-in (UTC)</TableHeader>
              <TableHeader>Actions</TableHeader>
            </tr>
          </TableHead>
          <TableBody>
            {users.map((user) => (
              <TableRow key={user.id}>
                <TableCell label="Name">{user.displayName}</TableCell>
                <TableCell label="Email">{user.email}</TableCell>
                <TableCell label="Role">{roleLabels[user.role]}</TableCell>
                <TableCell label="Status">{user.active ? "Active" : "Deactivated"}</TableCell>
                <TableCell label="Last sign-in">{user.lastSignInAt ? formatDateTime(user.lastSignInAt) : "Never"}</TableCell>
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
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        </TableCard>
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
