import { isGuid } from "@/lib/checks/format";
import type { Cloud } from "@/lib/entra/clouds";

/**
 * Deep links into a cloud's admin center (the Entra admin center, or the Azure portal for 21Vianet).
 * Pure: the wizard renders them in the browser. Every origin comes from the cloud catalog; the
 * `custom` cloud has no portal, so every function returns undefined for it and the wizard falls back
 * to written directions.
 *
 * The hash paths are the portal's own blade addresses. They are not a documented API, so they are
 * kept here, in one place, and a client ID is only embedded after it has been checked to be a GUID
 * (anything else could steer the link to another blade).
 */

export type PortalLink = { href: string; label: string };

/** The app registration blades the wizard sends people to, by the portal's menu names. */
export const appBlades = {
  overview: { segment: "Overview", menu: "Overview" },
  authentication: { segment: "Authentication", menu: "Authentication" },
  "api-permissions": { segment: "CallAnAPI", menu: "API permissions" },
  "certificates-secrets": { segment: "Credentials", menu: "Certificates & secrets" },
} as const;

export type AppBlade = keyof typeof appBlades;

const registeredApps = "#view/Microsoft_AAD_RegisteredApps";

/**
 * What people call the portal of this cloud. The 21Vianet cloud has no Entra admin center: its app
 * registrations live in the Azure portal, so sentences must not promise an "Entra admin center" there.
 */
export function portalName(cloud: Cloud): string | undefined {
  if (!cloud.portalOrigin) return undefined;
  return new URL(cloud.portalOrigin).hostname.startsWith("entra.") ? "Microsoft Entra admin center" : "Azure portal";
}

function link(cloud: Cloud, path: string, label: string): PortalLink | undefined {
  if (!cloud.portalOrigin) return undefined;
  return { href: `${cloud.portalOrigin}/${path}`, label };
}

/** The GUID in lower case (the portal's own form), or undefined when it is not a GUID. */
function cleanGuid(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed && isGuid(trimmed) ? trimmed.toLowerCase() : undefined;
}

/** The list of app registrations ("Owned applications" / "All applications"). */
export function appRegistrationsLink(cloud: Cloud): PortalLink | undefined {
  return link(cloud, `${registeredApps}/ApplicationsListBlade`, `Open App registrations in the ${portalName(cloud)}`);
}

/** The "Register an application" form. */
export function newRegistrationLink(cloud: Cloud): PortalLink | undefined {
  return link(
    cloud,
    `${registeredApps}/CreateApplicationBlade/quickStartType~/null/isMSAApp~/false`,
    `Open "Register an application" in the ${portalName(cloud)}`,
  );
}

/**
 * One blade of the app registration with this client ID. Without a valid client ID the link goes to
 * the App registrations list instead, and its label says which menu entry to open there.
 */
export function appBladeLink(cloud: Cloud, blade: AppBlade, clientId?: string): PortalLink | undefined {
  const { segment, menu } = appBlades[blade];
  const appId = cleanGuid(clientId);
  if (!appId) {
    return link(
      cloud,
      `${registeredApps}/ApplicationsListBlade`,
      `Open App registrations in the ${portalName(cloud)}, select your app, then ${menu}`,
    );
  }
  return link(
    cloud,
    `${registeredApps}/ApplicationMenuBlade/~/${segment}/appId/${appId}/isMSAApp~/false`,
    `Open ${menu} of your app in the ${portalName(cloud)}`,
  );
}

/**
 * The enterprise application's Permissions page, where consent status and who granted it are shown.
 * That blade is addressed by the service principal's object ID, which the wizard rarely knows; without
 * it the link opens the Enterprise applications list, where people search for the client ID.
 */
export function enterpriseAppPermissionsLink(
  cloud: Cloud,
  ids: { clientId?: string; servicePrincipalId?: string } = {},
): PortalLink | undefined {
  const appId = cleanGuid(ids.clientId);
  const objectId = cleanGuid(ids.servicePrincipalId);
  if (appId && objectId) {
    return link(
      cloud,
      `#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Permissions/objectId/${objectId}/appId/${appId}`,
      `Open the app's Permissions under Enterprise applications in the ${portalName(cloud)}`,
    );
  }
  return link(
    cloud,
    "#view/Microsoft_AAD_IAM/StartboardApplicationsMenuBlade/~/AppAppsPreview/menuId~/null",
    appId
      ? `Open Enterprise applications in the ${portalName(cloud)}, search for ${appId}, then Permissions`
      : `Open Enterprise applications in the ${portalName(cloud)}, select your app, then Permissions`,
  );
}

export type PortalLinks = {
  appRegistrations: PortalLink;
  newRegistration: PortalLink;
  overview: PortalLink;
  authentication: PortalLink;
  apiPermissions: PortalLink;
  certificatesAndSecrets: PortalLink;
  enterpriseAppPermissions: PortalLink;
};

/** Every link at once for one cloud (and app, when its client ID is known); undefined for `custom`. */
export function portalLinks(
  cloud: Cloud,
  ids: { clientId?: string; servicePrincipalId?: string } = {},
): PortalLinks | undefined {
  const appRegistrations = appRegistrationsLink(cloud);
  const newRegistration = newRegistrationLink(cloud);
  const overview = appBladeLink(cloud, "overview", ids.clientId);
  const authentication = appBladeLink(cloud, "authentication", ids.clientId);
  const apiPermissions = appBladeLink(cloud, "api-permissions", ids.clientId);
  const certificatesAndSecrets = appBladeLink(cloud, "certificates-secrets", ids.clientId);
  const enterpriseAppPermissions = enterpriseAppPermissionsLink(cloud, ids);
  if (!appRegistrations || !newRegistration || !overview || !authentication || !apiPermissions || !certificatesAndSecrets || !enterpriseAppPermissions) {
    return undefined;
  }
  return { appRegistrations, newRegistration, overview, authentication, apiPermissions, certificatesAndSecrets, enterpriseAppPermissions };
}
