import { describe, expect, it } from "vitest";
import { explainError, microsoftFirstLine, normaliseErrorCode } from "@/lib/checks/error-catalog";
import { fixStepSchema, whoCanFixSchema } from "@/lib/checks/schema";
import { knownClouds } from "@/lib/entra/clouds";
import { parseEstsErrorBody, parseMsalError } from "@/lib/entra/token-error";
import recordedTokenErrors from "@/simulator/recorded/token-errors.json";

const required = [
  90002, 900023, 700016, 7000215, 7000222, 7000112, 65001, 500011, 70011, 1002012, 50034, 50126, 50076, 50079, 53003, 50020, 50011,
  70008, 700082, 90094, 900941, 500200, 50173, 700027, 700024, 700023,
];
const graphCodes = [
  "ErrorAccessDenied",
  "Authorization_RequestDenied",
  "ErrorInvalidUser",
  "MailboxNotEnabledForRESTAPI",
  "ResourceNotFound",
  "ErrorItemNotFound",
  "InvalidAuthenticationToken",
  "TooManyRequests",
  "ApplicationThrottled",
  "ServiceUnavailable",
];

describe("error catalog", () => {
  it.each(required)("explains AADSTS%s with who and a valid fix step", (code) => {
    const explanation = explainError(code, { cloud: knownClouds.global });
    expect(explanation.known).toBe(true);
    expect(explanation.code).toBe(`AADSTS${code}`);
    expect(whoCanFixSchema.safeParse(explanation.who).success).toBe(true);
    if (explanation.fix) expect(fixStepSchema.safeParse(explanation.fix.step).success).toBe(true);
    expect(explanation.helpUrl).toBe(`https://login.microsoftonline.com/error?code=${code}`);
  });

  it.each(graphCodes)("explains Graph %s", (code) => {
    expect(explainError(code).known).toBe(true);
  });

  it("pins the fix steps that the wizard relies on", () => {
    const steps = Object.fromEntries(
      [7000215, 7000222, 65001, 90094, 900941, 50011, 50020, 700016, 90002].map((code) => [code, explainError(code).fix?.step]),
    );
    expect(steps).toEqual({
      7000215: "client-secret",
      7000222: "client-secret",
      65001: "admin-consent",
      90094: "admin-consent",
      900941: "admin-consent",
      50011: "register-app",
      50020: "register-app",
      700016: "copy-ids",
      90002: "copy-ids",
    });
  });

  it("tells the certificate failures apart by Microsoft's message, each with a fix on the credential step", () => {
    const notRegistered = explainError(700027, {
      message: "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: 'AB']",
    });
    expect(notRegistered).toMatchObject({ title: "Certificate not registered on this app", fix: { step: "client-secret" } });
    expect(notRegistered.explanation).toContain("uploaded to a different app");
    expect(explainError(700027, { message: "Client assertion failed signature validation. [Reason - The key used is expired., Thumbprint of key used by client: 'AB']" })).toMatchObject({
      title: "Certificate has expired",
      fix: { step: "client-secret" },
    });
    expect(
      explainError(700027, { message: "Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]" }).title,
    ).toBe("Certificate and key do not belong together");
    expect(explainError(700024, { message: "Client assertion is not within its valid time range." }).explanation).toContain("clock");
    expect(explainError(700023, { message: "Client assertion audience claim does not match Realm issuer." })).toMatchObject({ fix: { step: "copy-ids" } });
    expect(explainError(700023, { message: "The provided value for the input parameter scope is not valid." })).toMatchObject({ title: "Requested scope is not valid", who: "us" });
    expect(explainError("certificate-expired").fix?.step).toBe("client-secret");
    expect(explainError("certificate-not-yet-valid").known).toBe(true);
  });

  it("treats 'Access to OData is disabled' as an Exchange application access policy", () => {
    const policy = explainError("ErrorAccessDenied", { message: "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings." });
    expect(policy).toMatchObject({ who: "exchange-admin", fix: { step: "mailbox-scope" } });
    expect(explainError("ErrorAccessDenied", { message: "Access is denied. Check credentials and try again." }).fix?.step).toBe("api-permissions");
  });

  it("keeps an unknown code with a lookup link on the chosen cloud", () => {
    const unknown = explainError(9999999, { cloud: knownClouds.usgov });
    expect(unknown).toMatchObject({ known: false, code: "AADSTS9999999", helpUrl: "https://login.microsoftonline.us/error?code=9999999" });
  });

  it("normalises codes and trims Microsoft's trailer", () => {
    expect(normaliseErrorCode("aadsts65001")).toBe("AADSTS65001");
    expect(normaliseErrorCode(65001)).toBe("AADSTS65001");
    expect(microsoftFirstLine("AADSTS7000215: Invalid client secret provided. Trace ID: x Correlation ID: y Timestamp: z")).toBe(
      "Invalid client secret provided.",
    );
    expect(microsoftFirstLine("AADSTS1: leaked s3cretValue here", ["s3cretValue"])).toBe("leaked [redacted] here");
  });
});

type Recorded = { aadsts: string; http_status: number; body: Record<string, unknown>; msal_node_7_2_1?: { client_credentials?: Record<string, unknown> } };

describe("token error parsing (recorded bodies from the reference corpus)", () => {
  const corpus = recordedTokenErrors as Recorded[];

  it.each(corpus.map((entry) => [entry.aadsts, entry] as const))("%s from the raw body and from msal's error", (code, entry) => {
    const fromBody = parseEstsErrorBody(entry.body, entry.http_status);
    expect(fromBody?.code).toBe(code);
    expect(explainError(code).known).toBe(true);
    const msal = entry.msal_node_7_2_1?.client_credentials;
    if (msal) {
      const description = String(entry.body.error_description);
      const fromMsal = parseMsalError({
        name: msal.name,
        errorCode: msal.errorCode,
        errorNo: msal.errorNo,
        status: msal.status,
        errorMessage: `Error(s): ${String(msal.errorNo)} - Timestamp: ${String(entry.body.timestamp)} - Description: ${description} - Correlation ID: ${String(entry.body.correlation_id)} - Trace ID: ${String(entry.body.trace_id)}`,
      });
      expect(fromMsal.code).toBe(code);
      expect(fromMsal.correlationId).toBe(entry.body.correlation_id);
      expect(fromMsal.timestamp).toBe(entry.body.timestamp);
    }
  });

  it("falls back to the AADSTS prefix when error_codes is missing, and reads throttle replays", () => {
    expect(parseEstsErrorBody({ error: "invalid_client", error_description: "AADSTS7000222: The provided client secret keys are expired." })?.code).toBe(
      "AADSTS7000222",
    );
    expect(parseMsalError({ name: "ServerError", errorCode: "50196", errorMessage: "AADSTS50196: loop detected" }).code).toBe("AADSTS50196");
    expect(parseMsalError({ name: "InteractionRequiredAuthError", errorCode: "invalid_grant", errorNo: "700082", timestamp: "t", traceId: "x" })).toMatchObject({
      code: "AADSTS700082",
      timestamp: "t",
    });
    expect(parseEstsErrorBody({ error: "invalid_grant", error_description: "The refresh token has expired." })?.code).toBe("invalid_grant");
  });
});
