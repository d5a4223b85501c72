import { ActionForm, Field } from "@/components/action-form";
import { createConnectLinkAction } from "@/app/connect/actions";

/**
 * Creates a one-time "connect your calendar" link, or a reconnect link for one mailbox connection,
 * and emails it or shows it to copy. Used by the invite page and by helpdesk on a connection's page.
 */
export function ConnectLinkForm({ emailConfigured, connectionId, email }: { emailConfigured: boolean; connectionId?: string; email?: string }) {
  const options = [
    {
      value: "email",
      label: "Email it to them",
      description: emailConfigured ? "Sent from this console's email address." : "Email is not configured on this console (CALSYNC_SMTP_URL); copy the link instead.",
    },
    { value: "copy", label: "Show me the link to copy", description: "Send it yourself, for example in a chat." },
  ];
  return (
    <ActionForm action={createConnectLinkAction} submitLabel={connectionId ? "Create a reconnect link" : "Create the link"} hidden={connectionId ? { connectionId } : undefined}>
      <Field
        name="email"
        type="email"
        label={connectionId ? "Owner's email address" : "Their email address"}
        autoComplete="off"
        defaultValue={email}
        hint="The address they sign in to the console with (usually their work address)"
      />
      <Field name="delivery" type="radio" label="How to send it" options={options} defaultValue={emailConfigured ? "email" : "copy"} />
    </ActionForm>
  );
}
