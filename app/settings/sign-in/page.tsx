import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "@/components/action-form";
import { AppCredentialFields, AppRegistrationFields } from "@/components/app-registration-fields";
import { CheckList } from "@/components/check-list";
import { CopyButton } from "@/components/copy-button";
import { saveConsoleSignInAction } from "@/app/settings/sign-in/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { APP_ROLE_VALUES, appRolesManifestFragment, appRolesScript } from "@/lib/auth/oidc/role-mapping";
import { getConsoleSignIn, isMicrosoftSignInVerified } from "@/lib/auth/oidc/settings";
import { consoleSignInRedirectUri } from "@/lib/auth/oidc/urls";
import { getPrisma } from "@/lib/db/client";
import { getDelegatedAppView } from "@/lib/delegated/delegated-app";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Sign-in" };

const groupFields = [
  { role: "admin", name: "adminGroups", label: "Groups whose members are administrators" },
  { role: "helpdesk", name: "helpdeskGroups", label: "Groups whose members are helpdesk" },
  { role: "member", name: "memberGroups", label: "Groups whose members are members" },
] as const;

const preClass = "max-h-64 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100";

export default async function ConsoleSignInSettingsPage() {
  await authorizePage("/settings/sign-in", "/settings/sign-in");
  const db = await getPrisma();
  const [app, settings, verified] = await Promise.all([getDelegatedAppView(db), getConsoleSignIn(db), isMicrosoftSignInVerified(db)]);
  const redirectUri = consoleSignInRedirectUri();
  const manifest = appRolesManifestFragment();
  const separate = settings?.appKind === "separate" ? settings.app : null;
  // The registration the roles and redirect URI belong on: the one staff sign in through.
  const signInClientId = separate?.clientId ?? app?.clientId ?? null;
  const script = signInClientId ? appRolesScript(signInClientId) : null;
  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold">Sign-in</h1>
        <p className="text-fg-muted">
          Let staff sign in to this console with their Microsoft 365 work account, so that your organisation&apos;s MFA, Conditional Access and leaver process
          apply. The console signs them in through the <Link href="/settings/mailbox-sign-in">mailbox sign-in app</Link> or through an app registration of
          its own, and takes each person&apos;s role from Entra ID at every sign-in.
        </p>
      </header>

      {!app && (
        <p role="note" className="rounded border border-amber-400 dark:border-amber-700 bg-amber-50 dark:bg-amber-950/60 p-3 text-sm">
          No <Link href="/settings/mailbox-sign-in">mailbox sign-in app</Link> is set up yet: choose a separate app below, or set that one up first.
          One-step member connect always goes through the mailbox sign-in app.
        </p>
      )}

      <section className="space-y-2" aria-labelledby="register-heading">
        <h2 id="register-heading" className="text-lg font-semibold">
          What the app registration needs
        </h2>
        <ol className="list-decimal space-y-3 pl-6 text-sm">
          <li>
            Under <strong>Authentication</strong> of the app staff sign in through
            {signInClientId ? (
              <>
                {" "}
                (<code className="break-all">{signInClientId}</code>)
              </>
            ) : null}
            , add this <strong>Web</strong> redirect URI: <code className="break-all">{redirectUri}</code>{" "}
            <CopyButton text={redirectUri} label="Copy the sign-in redirect URI" />. The mailbox sign-in app already has a Web redirect URI for
            connecting mailboxes: this is a second one on it. A separate app needs it too, and so does the mailbox sign-in app when members connect in one
            step.
          </li>
          <li>
            Define the app roles <code>{APP_ROLE_VALUES.admin}</code>, <code>{APP_ROLE_VALUES.helpdesk}</code> and <code>{APP_ROLE_VALUES.member}</code> (App
            roles → Create app role, allowed member types “Users/Groups”), then assign them to people or groups under{" "}
            <strong>Enterprise applications → this app → Users and groups</strong>. App roles are the supported way: they always fit in the sign-in
            token. Paste this into the manifest&apos;s <code>appRoles</code>, or run the script.
            <div className="mt-2 space-y-2">
              <div className="flex items-center gap-2">
                <span className="font-medium">Manifest fragment</span> <CopyButton text={manifest} label="Copy the manifest fragment" />
              </div>
              <pre className={preClass} tabIndex={0} aria-label="Manifest fragment">
                {manifest}
              </pre>
              {script && (
                <>
                  <div className="flex items-center gap-2">
                    <span className="font-medium">Azure CLI script</span> <CopyButton text={script} label="Copy the app roles script" />
                  </div>
                  <pre className={preClass} tabIndex={0} aria-label="Azure CLI script">
                    {script}
                  </pre>
                </>
              )}
            </div>
          </li>
          <li>
            To map <strong>groups</strong> instead, set <code>groupMembershipClaims</code> to <code>SecurityGroup</code> in the manifest (Token
            configuration → Add groups claim), and grant admin consent for the delegated permission <code>GroupMember.Read.All</code>: someone in more
            than 200 groups gets no groups in the token, and the console then reads them from Microsoft Graph.
          </li>
        </ol>
      </section>

      {settings && (
        <section className="space-y-2" aria-labelledby="current-heading">
          <h2 id="current-heading" className="text-lg font-semibold">
            Current settings
          </h2>
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded border border-line bg-surface p-4 text-sm">
            <dt className="font-medium">Signs in through</dt>
            <dd>
              {separate
                ? `Its own app ${separate.clientId} (tenant ${separate.homeTenant}; ${separate.credentialKind === "secret" ? `secret ending in …${separate.credentialHint}` : `certificate ${separate.credentialHint.slice(0, 16)}…`})`
                : `The mailbox sign-in app (${settings.clientId})`}
            </dd>
            <dt className="font-medium">Trusted tenants</dt>
            <dd>{settings.tenants.map((tenant) => `${tenant.label} (${tenant.id})`).join(", ")}</dd>
            <dt className="font-medium">People without a role</dt>
            <dd>{settings.allowMembers ? "Become members" : "Are refused"}</dd>
            <dt className="font-medium">Local passwords</dt>
            <dd>{settings.microsoftOnly ? "Break-glass accounts only" : "Allowed"}</dd>
            <dt className="font-medium">One-step member connect</dt>
            <dd>{settings.memberTenants.length > 0 ? settings.memberTenants.map((tenant) => `${tenant.label} (${tenant.id})`).join(", ") : "Off"}</dd>
            <dt className="font-medium">Verified</dt>
            <dd>
              {settings.verifiedAt ? `${formatDateTime(settings.verifiedAt)} UTC` : "Never"}
              {!verified && !separate && " (not for the current mailbox sign-in app: save again)"}
            </dd>
          </dl>
          {settings.verification && <CheckList label="Last verification" checks={settings.verification} />}
        </section>
      )}

      <section className="max-w-xl space-y-4" aria-labelledby="form-heading">
          <h2 id="form-heading" className="text-lg font-semibold">
            {settings ? "Change the settings" : "Set up Sign in with Microsoft"}
          </h2>
          <p className="text-sm text-fg-muted">Saving first proves the settings with Microsoft: the app gets a token, and each trusted tenant is found. Nothing is saved if that fails.</p>
          <ActionForm action={saveConsoleSignInAction} submitLabel="Verify and save" hidden={{ expectedVersion: String(settings?.version ?? 0) }}>
            <Field
              name="appKind"
              type="radio"
              label="The app staff sign in through"
              defaultValue={settings?.appKind ?? (app ? "mailbox" : "separate")}
              options={[
                { value: "mailbox", label: "The mailbox sign-in app", description: `Add the redirect URI above to it${app ? ` (${app.clientId})` : ""}.` },
                { value: "separate", label: "A separate app", description: "An app registration for console sign-in alone, with its own credential. Fill in the fields below." },
              ]}
            />
            <fieldset className="space-y-4 rounded border border-line p-4">
              <legend className="px-1 text-sm font-medium">The separate app (only when chosen above)</legend>
              <AppRegistrationFields app={separate} fallbackCloudId={app?.cloudId} required={false} />
              <AppCredentialFields app={separate} />
            </fieldset>
            <Field
              name="tenants"
              type="textarea"
              label="Trusted tenants for staff"
              defaultValue={settings?.tenants.map((tenant) => tenant.label).join("\n") ?? app?.homeTenant}
              hint="Tenant IDs or verified domains, one per line. Only people of these tenants are let in."
            />
            {groupFields.map(({ role, name, label }) => (
              <Field key={role} name={name} type="textarea" required={false} label={label} defaultValue={settings?.groups[role].join("\n")} hint="Group object IDs, one per line (optional)" />
            ))}
            <Field
              name="allowMembers"
              type="checkbox"
              required={false}
              label="Let people of a trusted tenant without a role in as members"
              defaultChecked={settings?.allowMembers ?? false}
              hint="Otherwise they are refused, and told which app role to ask for."
            />
            <Field
              name="memberTenants"
              type="textarea"
              required={false}
              label="Tenants whose people may connect their calendar without an invitation"
              defaultValue={settings?.memberTenants.map((tenant) => tenant.label).join("\n")}
              hint="Tenant IDs or domains, one per line, apart from the trusted tenants above. With members allowed, people of these tenants get a member account at /connect/start in one Microsoft sign-in. Empty: off."
            />
            <Field
              name="microsoftOnly"
              type="checkbox"
              required={false}
              label="Microsoft sign-in only"
              defaultChecked={settings?.microsoftOnly ?? false}
              hint="Email and password then work only for administrators marked as break-glass accounts on the Users page."
            />
          </ActionForm>
        </section>
    </div>
  );
}
