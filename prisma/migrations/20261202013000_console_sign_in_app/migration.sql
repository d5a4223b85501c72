-- Console sign-in may go through an app registration of its own instead of the mailbox sign-in app (issue 16 §1).
ALTER TABLE "console_sign_ins" ADD COLUMN "app_kind" TEXT NOT NULL DEFAULT 'mailbox';
ALTER TABLE "console_sign_ins" ADD COLUMN "app_cloud" TEXT;
ALTER TABLE "console_sign_ins" ADD COLUMN "app_home_tenant" TEXT;
ALTER TABLE "console_sign_ins" ADD COLUMN "app_credential_kind" TEXT;
ALTER TABLE "console_sign_ins" ADD COLUMN "app_credential_sealed" TEXT;
ALTER TABLE "console_sign_ins" ADD COLUMN "app_credential_hint" TEXT;
ALTER TABLE "console_sign_ins" ADD COLUMN "app_certificate_pem" TEXT;

-- Invitations and connect links lead into the one-step connect (issue 16 §3): the attempt remembers its invitation.
ALTER TABLE "microsoft_sign_ins" ADD COLUMN "invite_id" UUID;
