import type { Metadata } from "next";
import { Table, TableBody, TableCard, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
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
          <TableCard>
            <Table>
            <caption className="sr-only">API keys</caption>
            <TableHead>
              <tr>
                <TableHeader>Name</TableHeader>
                <TableHeader>Prefix</TableHeader>
                <TableHeader>Scopes</TableHeader>
                <TableHeader>Created (UTC)</TableHeader>
                <TableHeader>Expires (UTC)</TableHeader>
                <TableHeader>Last used (UTC)</TableHeader>
                <TableHeader>Status</TableHeader>
                <TableHeader>Actions</TableHeader>
              </tr>
            </TableHead>
            <TableBody>
              {keys.map((key) => (
                <TableRow key={key.id}>
                  <TableCell label="Name">{key.name}</TableCell>
                  <TableCell label="Prefix">
                    <code>{key.prefix}</code>
                  </TableCell>
                  <TableCell label="Scopes">{key.scopes.join(", ")}</TableCell>
                  <TableCell label="Created">{formatDateTime(key.createdAt)}</TableCell>
                  <TableCell label="Expires">{key.expiresAt ? formatDateTime(key.expiresAt) : "Never"}</TableCell>
                  <TableCell label="Last used">{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : "Never"}</TableCell>
                  <TableCell label="Status">
                    {statusLabels[key.status]}
                    {key.revokedAt && <span className="block text-xs text-fg-muted">{formatDay(key.revokedAt)}</span>}
                  </TableCell>
                  <TableCell label="Actions">
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
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          </TableCard>
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
