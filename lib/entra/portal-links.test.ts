import { describe, expect, it } from "vitest";
import { customCloud, knownClouds, type Cloud } from "@/lib/entra/clouds";
import {
  appBladeLink,
  appBlades,
  appRegistrationsLink,
  enterpriseAppPermissionsLink,
  newRegistrationLink,
  portalLinks,
  portalName,
  type AppBlade,
} from "@/lib/entra/portal-links";

const clientId = "3f2b8c1e-9d4a-4e6b-8f7c-1a2b3c4d5e6f";
const spId = "aae51288-adf1-490e-a469-8ef6662d5173";
const custom = customCloud({ authorityHost: "https://login.sim.test:8443", graphHost: "https://graph.sim.test:8443" });
const known = Object.values(knownClouds) as Cloud[];

describe.each(known)("portal links for $id", (cloud) => {
  const origin = cloud.portalOrigin!;

  it("opens the app registrations list and the new registration form on the cloud's portal", () => {
    expect(appRegistrationsLink(cloud)?.href).toBe(`${origin}/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade`);
    expect(newRegistrationLink(cloud)?.href).toBe(
      `${origin}/#view/Microsoft_AAD_RegisteredApps/CreateApplicationBlade/quickStartType~/null/isMSAApp~/false`,
    );
  });

  it.each(Object.keys(appBlades) as AppBlade[])("goes straight to the app's %s blade once the client ID is known", (blade) => {
    expect(appBladeLink(cloud, blade, clientId)?.href).toBe(
      `${origin}/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/${appBlades[blade].segment}/appId/${clientId}/isMSAApp~/false`,
    );
  });

  it("uses the portal's blade names for API permissions, secrets, overview and authentication", () => {
    expect(appBladeLink(cloud, "api-permissions", clientId)?.href).toContain("/~/CallAnAPI/appId/");
    expect(appBladeLink(cloud, "certificates-secrets", clientId)?.href).toContain("/~/Credentials/appId/");
    expect(appBladeLink(cloud, "overview", clientId)?.href).toContain("/~/Overview/appId/");
    expect(appBladeLink(cloud, "authentication", clientId)?.href).toContain("/~/Authentication/appId/");
  });

  it("falls back to the list when the client ID is missing or not a GUID, and says where to click", () => {
    for (const bad of [undefined, "", "not-a-guid", `${clientId}/../../Microsoft_AAD_IAM`, "api://calsync"]) {
      const link = appBladeLink(cloud, "api-permissions", bad);
      expect(link?.href).toBe(`${origin}/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade`);
      expect(link?.label).toMatch(/select your app, then API permissions/);
    }
  });

  it("lower-cases and trims a pasted client ID", () => {
    expect(appBladeLink(cloud, "overview", ` ${clientId.toUpperCase()} `)?.href).toContain(`/appId/${clientId}/`);
  });

  it("links the enterprise application's Permissions page when the service principal is known", () => {
    expect(enterpriseAppPermissionsLink(cloud, { clientId, servicePrincipalId: spId })?.href).toBe(
      `${origin}/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Permissions/objectId/${spId}/appId/${clientId}`,
    );
    const fallback = enterpriseAppPermissionsLink(cloud, { clientId });
    expect(fallback?.href).toBe(`${origin}/#view/Microsoft_AAD_IAM/StartboardApplicationsMenuBlade/~/AppAppsPreview/menuId~/null`);
    expect(fallback?.label).toContain(clientId);
  });

  it("builds every link on this cloud's portal only", () => {
    const links = portalLinks(cloud, { clientId });
    expect(links).toBeDefined();
    for (const link of Object.values(links!)) expect(link.href.startsWith(`${origin}/#view/`)).toBe(true);
  });
});

describe("portal names", () => {
  it("calls the 21Vianet portal the Azure portal and the others the Entra admin center", () => {
    expect(portalName(knownClouds.global)).toBe("Microsoft Entra admin center");
    expect(portalName(knownClouds.usgov)).toBe("Microsoft Entra admin center");
    expect(portalName(knownClouds["usgov-dod"])).toBe("Microsoft Entra admin center");
    expect(portalName(knownClouds.china)).toBe("Azure portal");
    expect(appRegistrationsLink(knownClouds.china)?.label).toContain("Azure portal");
  });
});

describe("custom cloud", () => {
  it("has no portal, so no links", () => {
    expect(portalName(custom)).toBeUndefined();
    expect(appRegistrationsLink(custom)).toBeUndefined();
    expect(newRegistrationLink(custom)).toBeUndefined();
    expect(appBladeLink(custom, "overview", clientId)).toBeUndefined();
    expect(enterpriseAppPermissionsLink(custom, { clientId, servicePrincipalId: spId })).toBeUndefined();
    expect(portalLinks(custom, { clientId })).toBeUndefined();
  });
});
