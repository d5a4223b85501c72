import type { Metadata } from "next";
import { ActionForm, Field } from "@/components/action-form";
import { Table, TableBody, TableCard, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { resetUserMfaAction, saveMfaPolicyAction } from "@/app/settings/security/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { listUserMfa } from "@/lib/auth/mfa/factors";
import { getMfaPolicy } from "@/lib/auth/mfa/policy";
import { roleLabels } from "@/lib/auth/roles";
import { getPrisma } from "@/lib/db/client";

export const metadata: Metadata = { title: "Security" };

const requirementOptions = [
  { value: "optional", label: "Optional for everyone", description: "People may set up a second factor; nobody has to." },
  { value: "admins", label: "Required for administrators", description: "Administrators set one up at their next sign-in. The default on a new console." },
  { value: "everyone", label: "Required for all local accounts", description: "Everyone who signs in with a console password sets one up at their next sign-in." },
] as const;

export default async function SecuritySettingsPage() {
  await authorizePage("/settings/security", "/settings/security");
  const db = await getPrisma();
  const [policy, people] = await Promise.all([getMfaPolicy(db), listUserMfa(db)]);
  const requirement = policy.requireAll ? "everyone" : policy.requireAdmins ? "admins" : "optional";
  return (
    <section className="max-w-3xl space-y-8">
      <h1 className="text-2xl font-semibold">Security</h1>
      <section aria-labelledby="policy-heading" className="space-y-3">
        <h2 id="policy-heading" className="text-lg font-semibold">
          Multi-factor authentication
        </h2>
        <p className="text-sm">
          Saving a rule that asks more ends the sessions of people with a console password and no second factor yet: they sign in again and set one up. If
          that includes you, you go straight to setting yours up.
        </p>
        <ActionForm action={saveMfaPolicyAction} submitLabel="Save">
          <Field name="requirement" label="Who must use a second factor" type="radio" options={requirementOptions} defaultValue={requirement} />
        </ActionForm>
      </section>
      <section aria-labelledby="people-heading" className="space-y-3">
        <h2 id="people-heading" className="text-lg font-semibold">
          People
        </h2>
        <p className="text-sm">
          Turning a person&apos;s multi-factor authentication off removes their authenticator app, passkeys and recovery codes; where it is required, they set
          it up again at their next sign-in. It is recorded in the audit log.
        </p>
        <TableCard>
          <Table>
            <TableHead>
              <tr>
                <TableHeader>Email</TableHeader>
                <TableHeader>Role</TableHeader>
                <TableHeader>Second factors</TableHeader>
                <TableHeader>
                  <span className="sr-only">Actions</span>
                </TableHeader>
              </tr>
            </TableHead>
            <TableBody>
              {people.map((person) => {
                const factors = [person.totp && "authenticator app", person.passkeys > 0 && `${person.passkeys} passkey${person.passkeys === 1 ? "" : "s"}`].filter(Boolean);
                return (
                  <TableRow key={person.id}>
                    <TableCell label="Email">{person.email}</TableCell>
                    <TableCell label="Role">{roleLabels[person.role]}</TableCell>
                    <TableCell label="Second factors">{factors.length > 0 ? `${factors.join(", ")}; ${person.recoveryCodesLeft} recovery codes left` : "none"}</TableCell>
                    <TableCell label="Actions">
                      {factors.length > 0 && (
                        <ActionForm action={resetUserMfaAction} hidden={{ userId: person.id }} submitLabel={`Turn off MFA for ${person.email}`} submitVariant="danger" />
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </TableCard>
      </section>
    </section>
  );
}
