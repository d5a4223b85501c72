import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { ActionForm, Field } from "@/components/action-form";
import { ConsentHandOff } from "@/components/consent-hand-off";
import { ProvisioningRun } from "@/components/provisioning-run";
import { undoProvisioningAction } from "@/app/connections/new/automatic/actions";
import { authorizePage } from "@/lib/auth/current-user";
import { getPrisma } from "@/lib/db/client";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { cloudIdSchema } from "@/lib/entra/clouds";
import { appBladeLink, enterpriseAppPermissionsLink } from "@/lib/entra/portal-links";
import { getProvisioning } from "@/lib/provisioning/records";
import { wizardConsentHandOff } from "@/lib/wizard/consent-hand-off";

export const metadata: Metadata = { title: "Set it up for me" };

export default async function ProvisioningPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await authorizePage("/connections/new/automatic/[id]", "/connections/new/automatic");
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) notFound();
  const row = await getProvisioning(await getPrisma(), id.data);
  const cloud = row ? resolveCloud(cloudIdSchema.catch("global").parse(row.cloud)) : undefined;
  if (!row || !cloud) notFound();
  const endpoint = `/api/provisioning/${row.id}/run`;
  const running = row.status === "running";
  const handOff = row.status === "handoff" && row.appId ? wizardConsentHandOff({ cloud, tenant: row.tenantId, clientId: row.appId, requester: user.email }) : undefined;
  const created = [
    row.appId && { label: `App registration “${row.displayName}”, application (client) ID ${row.appId}`, link: appBladeLink(cloud, "overview", row.appId) },
    row.servicePrincipalId && { label: `Enterprise application (service principal), object ID ${row.servicePrincipalId}`, link: enterpriseAppPermissionsLink(cloud, { clientId: row.appId ?? undefined, servicePrincipalId: row.servicePrincipalId }) },
    row.credentialKeyId && (row.credentialKind !== "certificate" || row.steps.some((step) => step.step === "credential" && step.status === "done")) && { label: `${row.credentialKind === "certificate" ? "Certificate" : "Client secret"}, key ID ${row.credentialKeyId}${row.credentialExpiresAt ? `, valid until ${row.credentialExpiresAt.toISOString().slice(0, 10)}` : ""}`, link: appBladeLink(cloud, "certificates-secrets", row.appId ?? undefined) },
  ].filter((entry): entry is { label: string; link: ReturnType<typeof appBladeLink> } => Boolean(entry));
  return (
    <section className="max-w-3xl space-y-8">
      <header className="space-y-2">
        <p className="text-sm text-fg-muted">New connection · automatic · {cloud.label}</p>
        <h1 className="text-2xl font-semibold">Set it up for me: “{row.displayName}”</h1>
        {row.message && !running && <p data-testid="provisioning-message">{row.message}</p>}
      </header>

      {(running || row.status === "waiting" || row.status === "failed" || row.status === "handoff") && (
        <ProvisioningRun
          endpoint={endpoint}
          autoStart={running}
          buttonLabel={row.status === "handoff" ? "Check again (after the consent was granted)" : "Try again (continues where it stopped)"}
        />
      )}

      {handOff && <ConsentHandOff handOff={handOff} heading="Message for a Privileged Role Administrator or Global Administrator" linkText="Open the approval page" />}

      {created.length > 0 && row.status !== "undone" && (
        <div className="space-y-3">
          <h2 className="text-lg font-semibold">Created in your tenant</h2>
          <ul className="list-disc space-y-1 pl-6 text-sm">
            {created.map((entry) => (
              <li key={entry.label}>
                {entry.label}
                {entry.link && (
                  <>
                    {" "}
                    · <a href={entry.link.href}>{entry.link.label}</a>
                  </>
                )}
              </li>
            ))}
          </ul>
          {row.connectionId && (
            <p>
              <Link href={`/connections/${row.connectionId}`} className="rounded bg-primary px-4 py-2 text-sm font-medium text-primary-fg no-underline hover:bg-primary-hover">
                Open the connection
              </Link>
            </p>
          )}
        </div>
      )}

      {row.applicationObjectId && row.status !== "undone" && (
        <details className="rounded border border-line bg-surface p-4">
          <summary className="cursor-pointer font-medium">Undo: delete the app from the tenant</summary>
          <div className="mt-3 space-y-3 text-sm">
            <p>
              Deleting the app also removes its service principal and grants{row.connectionId ? ", and this console's connection to it" : ""}. Microsoft keeps a deleted app
              for 30 days, where it counts towards the tenant&apos;s object quota; delete it permanently to free that. The token used for the setup was discarded, so paste a
              fresh one (the same command).
            </p>
            <ActionForm action={undoProvisioningAction} submitLabel="Delete the app" submitVariant="danger" hidden={{ id: row.id }}>
              <Field name="token" label="A fresh token from the same command" type="textarea" />
              <Field name="permanent" label="Delete it permanently (not restorable)" type="checkbox" />
              <Field name="confirm" label={`Yes, delete “${row.displayName}” (${row.appId ?? ""}) from the tenant`} type="checkbox" />
            </ActionForm>
          </div>
        </details>
      )}
      {(row.status === "undone" || row.status === "refused") && (
        <p>
          <Link href="/connections/new/automatic">Start a new setup</Link>
        </p>
      )}
    </section>
  );
}
