import type { Metadata } from "next";
import { ActionForm, Field } from "@/components/action-form";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { createApiKeyAction, revokeApiKeyAction } from "@/app/settings/api-keys/actions";
import { MAX_KEY_NAME, scopeField, scopeLabels } from "@/lib/api/api-key-form";
import { listApiKeys, type ApiKeyStatus } from "@/lib/api/api-keys";
import { apiScopes } from "@/lib/auth/access-policy";
import { authorizePage } from "@/lib/auth/current-user";
import { getPrisma } from "@/lib/db/client";
import { formatDateTime, formatDay } from "@/lib/format";

export const metadata: Metadata = { title: "API keys" };

const statusLabels: Record<ApiKeyStatus, string> = { active: "Active", revoked: "Revoked", expired: "Expired" };

export default async function ApiKeysPage() {
  await authorizePage("/settings/api-keys", "/settings/api-keys");
  const keys = await listApiKeys(await getPrisma());
  return (
    <div className="space-y-10">
      <section className="space-y-4">
        <h1 className="text-2xl font-semibold">API keys</h1>
        <p className="text-sm text-fg-muted">
          The sync engine calls the console&apos;s API (<a className="underline" href="/api/v1/openapi.json">OpenAPI document</a>) with one of these keys, sent as{" "}
          <code>Authorization: Bearer csk_…</code>. Only the key&apos;s prefix is kept; the key itself is shown once, when it is created.
        </p>
        {keys.length === 0 ? (
          <p className="text-sm text-fg-muted">No API keys yet.</p>
        ) : (
          <table className="w-full border-collapse text-sm">
            <caption className="sr-only">API keys</caption>
            <thead>
              <tr className="border-b border-line text-left">
                <th scope="col" className="py-2 pr-4">Name</th>
                <th scope="col" className="py-2 pr-4">Prefix</th>
                <th scope="col" className="py-2 pr-4">Scopes</th>
                <th scope="col" className="py-2 pr-4">Created (UTC)</th>
                <th scope="col" className="py-2 pr-4">Expires (UTC)</th>
                <th scope="col" className="py-2 pr-4">Last used (UTC)</th>
                <th scope="col" className="py-2 pr-4">Status</th>
                <th scope="col" className="py-2">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id} className="border-b border-line align-top">
                  <td className="py-2 pr-4">{key.name}</td>
                  <td className="py-2 pr-4">
                    <code>{key.prefix}</code>
                  </td>
                  <td className="py-2 pr-4">{key.scopes.join(", ")}</td>
                  <td className="py-2 pr-4">{formatDateTime(key.createdAt)}</td>
                  <td className="py-2 pr-4">{key.expiresAt ? formatDateTime(key.expiresAt) : "Never"}</td>
                  <td className="py-2 pr-4">{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : "Never"}</td>
                  <td className="py-2 pr-4">
                    {statusLabels[key.status]}
                    {key.revokedAt && <span className="block text-xs text-fg-muted">{formatDay(key.revokedAt)}</span>}
                  </td>
                  <td className="py-2">
                    {key.status !== "revoked" && (
                      <ConfirmDialog
                        trigger={
                          <>
                            Revoke<span className="sr-only"> {key.name}</span>
                          </>
                        }
                        triggerVariant="danger"
                        title={`Revoke the API key “${key.name}”?`}
                        description="Every engine that uses this key is refused from the next request on. Revoking cannot be undone."
                        confirmLabel="Revoke API key"
                        action={revokeApiKeyAction}
                        hidden={{ keyId: key.id }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="max-w-xl space-y-4">
        <h2 className="text-lg font-semibold">Create an API key</h2>
        <p className="text-sm text-fg-muted">Give each engine its own key with only the scopes it needs, so one can be revoked without stopping the others.</p>
        <ActionForm action={createApiKeyAction} submitLabel="Create API key">
          <Field name="name" label="Name" autoComplete="off" hint={`Which engine or host uses it, at most ${MAX_KEY_NAME} characters`} />
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-fg">Scopes</legend>
            {apiScopes.map((scope) => (
              <Field
                key={scope}
                name={scopeField(scope)}
                type="checkbox"
                label={`${scopeLabels[scope].label} (${scope})`}
                hint={scopeLabels[scope].description}
                required={false}
                defaultChecked={scope === "connections:read" || scope === "tokens:issue" || scope === "reports:write"}
              />
            ))}
          </fieldset>
          <Field name="expiresOn" label="Expires on (optional)" type="date" required={false} hint="The key stops working after this day (UTC). Leave empty for no expiry." />
        </ActionForm>
      </section>
    </div>
  );
}
