"use server";

import { redirect } from "next/navigation";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import { requestContext } from "@/lib/auth/current-user";
import { runAction } from "@/lib/auth/run-action";
import { connectionCheckInput, deleteConnection, getConnection, rotateConnectionSecret, updateConnectionSettings } from "@/lib/connections/connections";
import { deleteConnectionSchema, updateConnectionSchema } from "@/lib/connections/form-schemas";
import { verifyConnectionChange } from "@/lib/connections/verify-change";
import { getKeyRing } from "@/lib/crypto/key-store";
import { getPrisma } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";
import { isoDateSchema, isPastDate, splitMailboxList } from "@/lib/wizard/draft-fields";
import { runChecks } from "@/lib/checks/run-checks";
import { completeCertificateSwitch, startCertificateSwitch } from "@/lib/credentials/switch-to-certificate";
import { generateCertificateFormSchema } from "@/lib/wizard/draft-certificate";
import { certificateIdProblems, updateCertificateIds } from "@/lib/credentials/certificate-ids";
import { UPLOAD_TOKEN_FIELD, uploadPendingCertificate } from "@/lib/credentials/upload-certificate";
import { resolveCloud } from "@/lib/entra/cloud-config";
import { nextScopeChangedAt, scopeChangedAtOfForm } from "@/lib/connections/scope-mode";

export async function updateConnectionAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("updateConnectionAction", updateConnectionSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    const current = await getConnection(db, values.id);
    if (!current) throw new UserFacingError("This connection no longer exists.");
    const now = new Date();
    const stated = scopeChangedAtOfForm(values, now);
    if (stated.error) throw new UserFacingError("Check the highlighted fields.", stated.error);
    const scopeMode = values.scopeMode ?? current.scopeMode;
    const scopeChangedAt = nextScopeChangedAt({ previousMode: current.scopeMode, mode: scopeMode, previous: current.scopeChangedAt, stated: stated.at, now });
    const mailboxScope = values.mailboxScopeKind === "list" ? { kind: "list" as const, mailboxes: splitMailboxList(values.mailboxes ?? "") } : { kind: "all" as const };
    const change = {
      scopeMode,
      scopeChangedAt,
      name: values.name,
      mailboxScope,
      testMailbox: values.testMailbox || null,
      outOfScopeMailbox: values.outOfScopeMailbox || null,
      writeTest: values.writeTest === "on",
      secretExpiresAt: values.secretExpiresAt ? new Date(`${values.secretExpiresAt}T00:00:00Z`) : null,
    };
    const input = await connectionCheckInput(db, getKeyRing(), values.id, {
      mailboxScope,
      testMailbox: change.testMailbox ?? undefined,
      outOfScopeMailbox: change.outOfScopeMailbox ?? undefined,
      writeTest: change.writeTest,
      scopeMode,
      ...(scopeChangedAt ? { scopeChangedAt: scopeChangedAt.toISOString() } : {}),
    });
    if (!input) throw new UserFacingError("This connection no longer exists.");
    const { report } = await verifyConnectionChange(input);
    const { ip } = await requestContext();
    await updateConnectionSettings(db, values.id, values.version, change, report, { actor: caller, ip });
    revalidatePath(`/connections/${values.id}`);
    return { status: "success", message: "Saved and verified." };
  });
}

const rotateSchema = z.object({
  id: z.uuid(),
  version: z.coerce.number().int().min(1),
  clientSecret: z.string().min(1, { message: "Paste the new secret's Value" }).max(1000),
  secretExpiresAt: isoDateSchema,
});

export async function rotateSecretAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("rotateSecretAction", rotateSchema, formData, async (values, caller) => {
    if (isPastDate(values.secretExpiresAt)) {
      throw new UserFacingError("Check the highlighted fields.", { secretExpiresAt: `This secret expired on ${values.secretExpiresAt}. Create a new one.` });
    }
    const db = await getPrisma();
    const ring = getKeyRing();
    const input = await connectionCheckInput(db, ring, values.id, { clientSecret: values.clientSecret, writeTest: false });
    if (!input) throw new UserFacingError("This connection no longer exists.");
    const { report, cleanedSecret } = await verifyConnectionChange(input);
    const { ip } = await requestContext();
    await rotateConnectionSecret(
      db,
      ring,
      values.id,
      values.version,
      { clientSecret: cleanedSecret, secretExpiresAt: new Date(`${values.secretExpiresAt}T00:00:00Z`), report },
      { actor: caller, ip },
    );
    revalidatePath(`/connections/${values.id}`);
    return { status: "success", message: "The new secret verified and replaced the old one." };
  });
}

export async function deleteConnectionAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("deleteConnectionAction", deleteConnectionSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    if (!(await getConnection(db, values.id))) throw new UserFacingError("This connection no longer exists.");
    const { ip } = await requestContext();
    const { name } = await deleteConnection(db, values.id, values.confirmName, { actor: caller, ip });
    redirect(`/connections?deleted=${encodeURIComponent(name)}`);
  });
}

const startSwitchSchema = z.object({ id: z.uuid(), validityMonths: generateCertificateFormSchema.shape.validityMonths });

export async function startCertificateSwitchAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("startCertificateSwitchAction", startSwitchSchema, formData, async (values) => {
    await startCertificateSwitch(await getPrisma(), getKeyRing(), values.id, { validityMonths: values.validityMonths });
    revalidatePath(`/connections/${values.id}`);
    return { status: "success", message: "Certificate generated. Download it, upload it on the app's Certificates tab in Entra, then verify and switch." };
  });
}

const switchSchema = z.object({
  id: z.uuid(),
  version: z.coerce.number().int().min(1),
  applicationObjectId: z.string().max(300).optional(),
  certificateKeyId: z.string().max(300).optional(),
});

export async function switchToCertificateAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("switchToCertificateAction", switchSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    const connection = await getConnection(db, values.id);
    if (!connection) throw new UserFacingError("This connection no longer exists.");
    const objectId = (values.applicationObjectId ?? "").trim().toLowerCase();
    const keyId = (values.certificateKeyId ?? "").trim().toLowerCase();
    const problems = certificateIdProblems({ applicationObjectId: objectId, certificateKeyId: keyId }, { tenant: connection.tenantId, clientId: connection.clientId });
    if (Object.keys(problems).length) throw new UserFacingError("Check the highlighted fields.", problems);
    const { ip } = await requestContext();
    await completeCertificateSwitch(db, getKeyRing(), values.id, values.version, { applicationObjectId: objectId || null, keyId: keyId || null }, (input) => runChecks(input), { actor: caller, ip });
    // The switch form is gone once the connection uses a certificate: the page itself says what happened.
    redirect(`/connections/${values.id}?switched=1`);
  });
}

const certificateIdsSchema = z.object({
  id: z.uuid(),
  version: z.coerce.number().int().min(1),
  applicationObjectId: z.string().max(300).default(""),
  certificateKeyId: z.string().max(300).default(""),
});

export async function updateCertificateIdsAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("updateCertificateIdsAction", certificateIdsSchema, formData, async (values, caller) => {
    const { ip } = await requestContext();
    const { changed } = await updateCertificateIds(await getPrisma(), values.id, values.version, values, { actor: caller, ip });
    revalidatePath(`/connections/${values.id}`);
    return { status: "success", message: changed ? "Saved. Renewal uses these ids from now on." : "Nothing changed." };
  });
}

const uploadForMeSchema = z.object({
  id: z.uuid(),
  version: z.coerce.number().int().min(1),
  [UPLOAD_TOKEN_FIELD]: z.string().min(1, { message: "Paste the access token" }).max(20_000),
});

export async function uploadCertificateForMeAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction("uploadCertificateForMeAction", uploadForMeSchema, formData, async (values, caller) => {
    const db = await getPrisma();
    const connection = await getConnection(db, values.id);
    if (!connection || connection.kind !== "organization") throw new UserFacingError("This connection no longer exists.");
    const cloud = resolveCloud(connection.cloud);
    if (!cloud) throw new UserFacingError("The connection's cloud is not configured on this server.");
    const { ip } = await requestContext();
    const uploaded = await uploadPendingCertificate(db, cloud, values.id, values[UPLOAD_TOKEN_FIELD], { actor: caller, ip });
    try {
      await completeCertificateSwitch(db, getKeyRing(), values.id, values.version, { applicationObjectId: null, keyId: null }, (input) => runChecks(input), { actor: caller, ip });
    } catch (error) {
      if (!(error instanceof UserFacingError)) throw error;
      revalidatePath(`/connections/${values.id}`);
      throw new UserFacingError(`Calsync added the certificate to the app (Certificate ID ${uploaded.keyId}). ${error.message} Microsoft can take a minute to accept a new certificate: press “Verify and switch” shortly.`);
    }
    redirect(`/connections/${values.id}?switched=1`);
  });
}
