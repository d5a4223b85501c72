-- "Set it up for me" can add a certificate the console generates instead of a client secret (issue 13 with issue 14).
ALTER TABLE "provisionings" ADD COLUMN "credential_kind" TEXT NOT NULL DEFAULT 'secret';
ALTER TABLE "provisionings" ADD COLUMN "certificate_pem" TEXT;
