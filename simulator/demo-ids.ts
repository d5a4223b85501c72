/**
 * Well-known ids of scenarios/demo.json, so tests and fixtures do not repeat GUIDs and secrets.
 * Secret values here are fake test-double credentials that exist only in the demo scenario.
 */
export const demo = {
  password: "Passw0rd!",
  /** The console's mailbox sign-in callback on its default address; every demo app registers it. */
  redirectUri: "http://localhost:3000/connect/callback",
  consentRedirectUri: "http://localhost:3000/connections/new/admin-consent/callback",
  contoso: {
    id: "7a1c2e3f-4b5d-4c6e-8f70-819a2b3c4d5e",
    domain: "contoso.onmicrosoft.com",
    customDomain: "contoso.com",
  },
  usgov: {
    id: "9b2c3d4e-5f60-4718-a9b0-c1d2e3f40516",
    domain: "fabrikamgov.onmicrosoft.us",
  },
  apps: {
    healthy: { clientId: "11111111-1111-4111-8111-111111111111", secret: "healthy~secret~value~0000000000001" },
    noConsent: { clientId: "22222222-2222-4222-8222-222222222222", secret: "noconsent~secret~value~00000000002" },
    calendarsOnly: { clientId: "33333333-3333-4333-8333-333333333333", secret: "calonly~secret~value~000000000003" },
    extraRoles: { clientId: "44444444-4444-4444-8444-444444444444", secret: "extra~secret~value~00000000000004" },
    expiredSecret: { clientId: "55555555-5555-4555-8555-555555555555", secret: "expired~secret~value~0000000000005" },
    disabled: { clientId: "66666666-6666-4666-8666-666666666666", secret: "disabled~secret~value~000000000006" },
    mailboxScoped: { clientId: "77777777-7777-4777-8777-777777777777", secret: "scoped~secret~value~0000000000007" },
    userConsentBlocked: { clientId: "88888888-8888-4888-8888-888888888888", secret: "blocked~secret~value~000000000008" },
    usgov: { clientId: "99999999-9999-4999-8999-999999999999", secret: "gov~secret~value~000000000000000009" },
    consentRemoved: { clientId: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", secret: "removed~secret~value~0000000000000a" },
    secretExpiring: { clientId: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", secret: "expiring~secret~value~000000000000b" },
    newOffice: { clientId: "cccccccc-cccc-4ccc-8ccc-cccccccccccc", secret: "newoffice~secret~value~00000000000c" },
    mailboxSignIn: { clientId: "dddddddd-dddd-4ddd-8ddd-dddddddddddd", secret: "signin~secret~value~00000000000000d" },
    identityTools: { clientId: "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee", secret: "tools~secret~value~000000000000000e" },
  },
  users: {
    admin: { id: "a0000000-0000-4000-8000-000000000001", upn: "admin@contoso.onmicrosoft.com" },
    adele: { id: "a0000000-0000-4000-8000-000000000002", upn: "adele.vance@contoso.com" },
    megan: { id: "a0000000-0000-4000-8000-000000000003", upn: "megan.bowen@contoso.com" },
    guest: { id: "a0000000-0000-4000-8000-000000000004", upn: "alex_fabrikam.com#EXT#@contoso.onmicrosoft.com" },
    noMailbox: { id: "a0000000-0000-4000-8000-000000000005", upn: "lee.gu@contoso.com" },
    caBlocked: { id: "a0000000-0000-4000-8000-000000000006", upn: "diego.siciliani@contoso.com" },
    personal: { id: "a0000000-0000-4000-8000-000000000007", upn: "pat@outlook.com" },
    lynne: { id: "a0000000-0000-4000-8000-000000000008", upn: "lynne.robbins@contoso.com" },
    usgovAdmin: { id: "b0000000-0000-4000-8000-000000000001", upn: "admin@fabrikamgov.onmicrosoft.us" },
  },
} as const;
