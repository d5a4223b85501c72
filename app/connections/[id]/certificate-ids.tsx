import { ActionForm, Field } from "@/components/action-form";
import { updateCertificateIdsAction } from "@/app/connections/[id]/actions";
import type { ConnectionView } from "@/lib/connections/connections";

/** The Object ID and Certificate ID of a certificate connection, added or corrected after saving. */
export function CertificateIds({ connection }: { connection: ConnectionView }) {
  return (
    <section className="max-w-xl space-y-3" aria-labelledby="certificate-ids">
      <h2 id="certificate-ids" className="text-lg font-semibold">
        Certificate renewal ids
      </h2>
      <p className="text-sm text-fg-muted">
        {connection.certificateGenerated
          ? "Calsync renews its certificate before it expires. It needs the app's Object ID for that, and the current certificate's Certificate ID to remove it from the app afterwards; without the Certificate ID it asks you to delete the old certificate in Entra."
          : "Calsync did not make this certificate, so it does not renew it; the ids are kept for when it does."}
      </p>
      <ActionForm action={updateCertificateIdsAction} submitLabel="Save the ids" submitVariant="secondary" hidden={{ id: connection.id, version: String(connection.version) }}>
        <Field
          name="applicationObjectId"
          label="Object ID"
          required={false}
          defaultValue={connection.applicationObjectId ?? ""}
          hint="The app registration's Overview page shows it as “Object ID”: not the Application (client) ID"
        />
        <Field
          name="certificateKeyId"
          label="Certificate ID"
          required={false}
          defaultValue={connection.certificateKeyId ?? ""}
          hint="Certificates & secrets → Certificates shows it beside the thumbprint"
        />
      </ActionForm>
    </section>
  );
}
