/**
 * Microsoft's own application ids that people paste by mistake as "their" client ID: they copied a
 * value from a sign-in log, a token, a blog post or the API permissions blade instead of their
 * app registration's Overview page. Pure data (the wizard checks it in the browser too).
 */
export const firstPartyApps: Readonly<Record<string, string>> = {
  "00000003-0000-0000-c000-000000000000": "Microsoft Graph",
  "00000002-0000-0000-c000-000000000000": "Azure AD Graph (retired)",
  "00000002-0000-0ff1-ce00-000000000000": "Exchange Online",
  "00000003-0000-0ff1-ce00-000000000000": "SharePoint Online",
  "00000004-0000-0ff1-ce00-000000000000": "Skype for Business Online",
  "de8bc8b5-d9f9-48b1-a8ad-b748da725064": "Graph Explorer",
  "04b07795-8ddb-461a-bbee-02f9e1bf7b46": "Azure CLI",
  "1950a258-227b-4e31-a9cf-717495945fc2": "Azure PowerShell",
  "14d82eec-204b-4c2f-b7e8-296a70dab67e": "Microsoft Graph PowerShell",
  "d3590ed6-52b3-4102-aeff-aad2292ab01c": "Microsoft Office",
  "5e3ce6c0-2b1f-4285-8d4b-75ee78787346": "Microsoft Teams web client",
  "1fec8e78-bce4-4aaf-ab1b-5451cc387264": "Microsoft Teams",
  "27922004-5251-4030-b22d-91ecd9a37ea4": "Outlook Mobile",
  "9199bf20-a13f-4107-85dc-02114787ef48": "Outlook (one Outlook / Outlook for Windows)",
  "00000006-0000-0ff1-ce00-000000000000": "Microsoft 365 portal",
  "c44b4083-3bb0-49c1-b47d-974e53cbdf3c": "Azure portal",
  "fb78d390-0c51-40cd-8e17-fdbfab77341b": "Microsoft Exchange REST API based PowerShell",
};

export function firstPartyAppName(clientId: string): string | undefined {
  return firstPartyApps[clientId.toLowerCase()];
}
