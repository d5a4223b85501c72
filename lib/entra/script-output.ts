/**
 * The labelled lines the setup scripts print, and their reading. Kept apart from the generators: the
 * paste box reads them in the browser, which need not download the script generators and zod.
 */

/**
 * The labels of the block both scripts print at the end. The wizard's paste box reads the same
 * labels back, so the four values land in their fields without retyping.
 */
export const scriptOutputLabels = {
  tenant: "Directory (tenant) ID",
  clientId: "Application (client) ID",
  clientSecret: "Client secret (Value)",
  secretExpiresAt: "Client secret expires",
  applicationObjectId: "Object ID",
  certificateKeyId: "Certificate ID",
} as const;
export type ScriptOutputField = keyof typeof scriptOutputLabels;

/**
 * The values in a pasted script output (or any text with the same labelled lines). Only the lines
 * found are returned; the expiry is reduced to its date, whatever time and zone the tool printed.
 */
export function parseScriptOutput(text: string): Partial<Record<ScriptOutputField, string>> {
  const found: Partial<Record<ScriptOutputField, string>> = {};
  const byLabel = new Map(Object.entries(scriptOutputLabels).map(([field, label]) => [label.toLowerCase(), field as ScriptOutputField]));
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([^:]+?)\s*:\s*(\S.*?)\s*$/.exec(line);
    const field = match ? byLabel.get(match[1]!.toLowerCase()) : undefined;
    if (!field) continue;
    const value = match![2]!;
    if (field === "secretExpiresAt") {
      const date = /\d{4}-\d{2}-\d{2}/.exec(value);
      if (date) found.secretExpiresAt = date[0];
    } else {
      found[field] = value;
    }
  }
  return found;
}
