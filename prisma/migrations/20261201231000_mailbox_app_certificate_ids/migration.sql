-- The mailbox sign-in app records its Object ID and certificate ID, as organisation connections do (issue 14 §4).
ALTER TABLE "delegated_apps" ADD COLUMN "application_object_id" TEXT;
ALTER TABLE "delegated_apps" ADD COLUMN "certificate_key_id" TEXT;
