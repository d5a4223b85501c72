import type { Metadata } from "next";
import { ActionForm, Field } from "@/components/action-form";
import { changeUserRoleAction, createUserAction, endUserSessionsAction, inviteUserAction, setBreakGlassAction, setUserActiveAction } from "@/app/users/actions";
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
        <p role="status" className="rounded border border-green-300 bg-green-50 p-3 text-sm">
          The console is yours. Invite your colleagues below.
        </p>
      )}
      <section className="space-y-4">
        <h1 className="text-2xl font-semibold">Users</h1>
        <table className="w-full border-collapse text-sm">
          <caption className="sr-only">Console users</caption>
          <thead>
            <tr className="border-b border-slate-300 text-left">
              <th scope="col" className="py-2 pr-4">Name</th>
              <th scope="col" className="py-2 pr-4">Email</th>
              <th scope="col" className="py-2 pr-4">Role</th>
              <th scope="col" className="py-2 pr-4">Status</th>
              <th scope="col" className="py-2 pr-4">Last sign-in (UTC)</th>
              <th scope="col" className="py-2">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id} className="border-b border-slate-200 align-top">
                <td className="py-2 pr-4">{user.displayName}</td>
                <td className="py-2 pr-4">{user.email}</td>
                <td className="py-2 pr-4">{roleLabels[user.role]}</td>
                <td className="py-2 pr-4">
                  {user.active ? "Active" : "Deactivated"}
                  {user.microsoftAccounts.length > 0 && <span className="block text-xs text-slate-600">Microsoft: {user.microsoftAccounts.join(", ")}</span>}
                  {user.breakGlass && <span className="block text-xs text-slate-600">Break-glass (keeps password sign-in)</span>}
                </td>
                <td className="py-2 pr-4">{user.lastSignInAt ? formatDateTime(user.lastSignInAt) : "Never"}</td>
                <td className="space-y-2 py-2">
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
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="grid gap-10 md:grid-cols-2">
        <div className="space-y-4">
          <h2 className="text-lg font-semibold">Invite a colleague</h2>
          <p className="text-sm text-slate-700">They receive a one-time link and choose their own password.</p>
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
